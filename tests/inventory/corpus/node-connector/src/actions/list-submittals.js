export default {
  key: "procore-list-submittals",
  async run() {
    // return this.app.get({ path: `/projects/${this.projectId}/drawings` });
    return this.app.get({
      path: `/projects/${this.projectId}/submittals`,
      versionPath: "/rest/v1.1",
    });
  },
};
