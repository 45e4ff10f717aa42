const constants = { BASE_URL: "https://api.procore.com", VERSION_PATH: { DEFAULT: "/rest/v1.0", V1_1: "/rest/v1.1" } };
export default {
  methods: {
    getUrl(path, versionPath) { return `${constants.BASE_URL}${versionPath}${path}`; },
    _makeRequest({ $ = this, path, versionPath = constants.VERSION_PATH.DEFAULT, ...args } = {}) {
      return axios($, { ...args, url: this.getUrl(path, versionPath) });
    },
    post(args = {}) { return this._makeRequest({ method: "POST", ...args }); },
    getProjects(args = {}) { return this._makeRequest({ path: "/projects", ...args }); },
    createSubmittal({ projectId, ...args } = {}) {
      return this.post({ path: `/projects/${projectId}/submittals`, versionPath: constants.VERSION_PATH.V1_1, ...args });
    },
  },
};
