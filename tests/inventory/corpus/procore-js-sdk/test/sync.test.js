// The tests stub the SDK; the endpoint they call is not the integration's use.
const sync = require("../src/sync");
test("schedule items", async () => {
  const procore = { get: jest.fn() };
  await procore.get({ base: "/projects/{project_id}/schedule_items", params: { project_id: 1 } });
});
