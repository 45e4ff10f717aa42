import nock from "nock";
test("posts an rfi", async () => {
  nock("https://api.procore.com").post("/rest/v1.0/projects/1/rfis").reply(201, {});
  await fetch("https://api.procore.com/rest/v1.0/projects/1/punch_items");
});
