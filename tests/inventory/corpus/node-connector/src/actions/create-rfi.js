export default {
  key: "procore-create-rfi",
  async run({ $ }) {
    const { projectId, subject } = this;
    return this.app.post({
      $,
      companyId: this.companyId,
      path: `/projects/${projectId}/rfis`,
      data: { rfi: { subject } },
    });
  },
};
