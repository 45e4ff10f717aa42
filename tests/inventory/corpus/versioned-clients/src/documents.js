// Two axios instances: the tree's default version and v1.1 for the documents tool.
const axios = require("axios");

const HOST = process.env.PROCORE_HOST || "https://api.procore.com";
const api = axios.create({ baseURL: `${HOST}/rest/v1.0`, timeout: 30000 });
const documentsApi = axios.create({ baseURL: HOST + "/rest/v1.1" });

async function listRfis(projectId) {
  const { data } = await api.get(`/projects/${projectId}/rfis`, { params: { per_page: 100 } });
  return data;
}

async function listFolders(projectId) {
  return documentsApi.get("/projects/" + projectId + "/folders");
}

async function uploadFile(projectId, body) {
  return documentsApi.post(`/projects/${projectId}/files`, body);
}

module.exports = { listRfis, listFolders, uploadFile };
