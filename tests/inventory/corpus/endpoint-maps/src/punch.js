// Punch list sync: a table of paths indexed by name, and a loop over two lists.
const axios = require("axios");

const http = axios.create({ baseURL: "https://api.procore.com" });
const PATHS = {
  punch: "/rest/v1.0/punch_items",
  assignments: "/rest/v1.0/punch_item_assignments",
};

async function punchItems(projectId) {
  return http.get(PATHS["punch"], { params: { project_id: projectId } });
}

async function everyList(projectId) {
  for (const list of ["inspections", "incidents"]) {
    await http.get(`/rest/v1.0/projects/${projectId}/${list}`);
  }
}

function areas(projectId) {
  return ["locations", "trades"].map((list) => http.get(`/rest/v1.0/projects/${projectId}/${list}`));
}

module.exports = { punchItems, everyList, areas };
