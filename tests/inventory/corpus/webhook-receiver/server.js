const express = require("express");
const app = express();
const router = express.Router();
app.post("/webhooks/procore", (req, res) => res.sendStatus(200));
router.get("/projects/:id/rfis", listRfis);
const options = { method: "DELETE", headers: {} };
async function unregister(projectId, hookId) {
  return fetch(`https://api.procore.com/rest/v1.0/webhooks/hooks/${hookId}?project_id=${projectId}`, options);
}
