// Drives Procore's official JavaScript SDK (@procore/js-sdk) against `emulator serve`.
//
// Usage: node check.js BASE_URL SDK_DIR CLIENT_ID CLIENT_SECRET COMPANY_ID
// Prints one JSON object on stdout: what each step saw. The pytest side
// (test_js_sdk.py) asserts on it, so this script records and never judges.
// Secrets come from the world file of the test (emulator fixtures).
"use strict";

const path = require("path");

const [base, sdkDir, clientId, clientSecret, companyArg] = process.argv.slice(2);
const sdk = require(path.join(sdkDir, "node_modules", "@procore", "js-sdk"));
const companyId = Number(companyArg);
const out = {};

function headersOf(response) {
  const wanted = ["link", "total", "per-page", "x-rate-limit-limit", "x-rate-limit-remaining"];
  const seen = {};
  for (const name of wanted) {
    const value = response.headers.get(name);
    if (value !== null) seen[name] = value;
  }
  return seen;
}

function nextLink(linkHeader) {
  for (const part of (linkHeader || "").split(",")) {
    const match = part.match(/<([^>]+)>\s*;\s*rel="next"/);
    if (match) return match[1];
  }
  return null;
}

async function failure(promise) {
  try {
    const ok = await promise;
    return { unexpected_success: ok.response.status };
  } catch (rejected) {
    if (!rejected || !rejected.response) throw rejected;
    return { status: rejected.response.status, body: rejected.body };
  }
}

async function main() {
  // 1. Tokens. The SDK's own grant is the authorization code (sdk.token): get a code from
  //    /oauth/authorize (the world's login user approves), exchange it with the SDK.
  const authorize = await fetch(
    `${base}/oauth/authorize?response_type=code&client_id=${encodeURIComponent(clientId)}` +
      `&redirect_uri=${encodeURIComponent("http://localhost/callback")}`,
    { redirect: "manual" },
  );
  const code = new URL(authorize.headers.get("location")).searchParams.get("code");
  const userToken = await sdk.token(
    { id: clientId, secret: clientSecret, code, uri: "http://localhost/callback" },
    { apiHostname: base },
  );
  out.user_token = { has_access: Boolean(userToken.access_token), has_refresh: Boolean(userToken.refresh_token) };
  // The DMSA token: client credentials (the SDK has no helper; its docs post the form).
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret });
  const dmsa = await (await fetch(`${base}/oauth/token`, { method: "POST", body: form })).json();
  out.dmsa_token = { token_type: dmsa.token_type, expires_in: dmsa.expires_in };
  const info = await sdk.info(dmsa.access_token, { apiHostname: base });
  out.token_info = { application_uid: info.application && info.application.uid };

  const client = sdk.client(sdk.oauth(dmsa.access_token), {}, { apiHostname: base, defaultCompanyId: companyId });

  // 2. Companies and /me.
  const companies = await client.get({ base: "/companies" });
  out.companies = companies.body.map((c) => c.id);
  const me = await client.get({ base: "/me", qs: { company_id: companyId } });
  out.me = me.body;

  // 3. Paginated projects: follow Link rel="next" to the end, as Procore's guide says.
  let page = await client.get({ base: "/projects", version: "v1.1", qs: { company_id: companyId, per_page: 2 } });
  out.first_page_headers = headersOf(page.response);
  const ids = page.body.map((p) => p.id);
  let next = nextLink(page.response.headers.get("link"));
  let pages = 1;
  while (next && pages < 50) {
    page = await client.get(next.slice(base.length));
    ids.push(...page.body.map((p) => p.id));
    next = nextLink(page.response.headers.get("link"));
    pages += 1;
  }
  out.projects = { ids, pages, total: Number(out.first_page_headers.total) };

  // 4. A tool endpoint (RFIs, granted to the app) on its first permitted project.
  const rfis = await client.get({ base: "/projects/{project_id}/rfis", params: { project_id: ids[0] } });
  out.tool = { status: rfis.response.status, is_list: Array.isArray(rfis.body) };

  // 5. Error shapes: bad token (401), a tool the app lacks (403), an unknown route (404).
  const stranger = sdk.client(sdk.oauth("not-a-token"), {}, { apiHostname: base, defaultCompanyId: companyId });
  out.error_401 = await failure(stranger.get({ base: "/companies" }));
  out.error_403 = await failure(client.get({ base: "/projects/{project_id}/drawing_areas", params: { project_id: ids[0] } }));
  out.error_404 = await failure(client.get({ base: "/no_such_resource" }));
}

main()
  .then(() => process.stdout.write(JSON.stringify(out) + "\n"))
  .catch((error) => {
    process.stdout.write(JSON.stringify({ ...out, crashed: String(error && error.stack || error) }) + "\n");
    process.exitCode = 1;
  });
