// A sync service on Procore's official JS SDK: endpoint configs, not URLs.
const { client, oauth, refresher } = require("@procore/js-sdk");

function procoreFor(token, refresh) {
  return client(oauth(token), {}, { defaultCompanyId: process.env.PROCORE_COMPANY_ID });
}

async function whoAmI(procore) {
  const { body } = await procore.get({ base: "/me" });
  return body;
}

async function openRfis(procore, projectId) {
  const { body } = await procore.get({
    base: "/projects/{project_id}/rfis",
    params: { project_id: projectId },
    qs: { filters: { status: "open" } },
  });
  return body;
}

async function rfiReplies(procore, projectId, rfiId) {
  return procore.get({ base: "/projects/{project_id}/rfis", params: { project_id: projectId, id: rfiId }, action: "replies" });
}

async function addSubmittal(procore, projectId, submittal) {
  return procore.post({ base: "/projects/{project_id}/submittals", params: { project_id: projectId }, version: "v1.1" }, { submittal });
}

async function closePunchItem(procore, projectId, id) {
  return procore.patch({ base: `/projects/${projectId}/punch_items`, params: { id } }, { punch_item: { status: "closed" } });
}

async function removeVendor(procore, companyId, vendorId) {
  return procore.delete({ base: "/companies/{company_id}/vendors", params: { company_id: companyId, id: vendorId } });
}

const FOLDERS = { base: "/folders", version: "v1.0" };

async function folders(procore, projectId) {
  return procore.get({ ...FOLDERS, qs: { project_id: projectId } });
}

module.exports = { procoreFor, whoAmI, openRfis, rfiReplies, addSubmittal, closePunchItem, removeVendor, folders };
