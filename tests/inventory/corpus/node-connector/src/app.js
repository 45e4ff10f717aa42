import axios from "axios";
import { BASE_URL, DEFAULT_VERSION_PATH } from "./constants.js";

export default class ProcoreApp {
  constructor(auth) {
    this.auth = auth;
  }

  _makeRequest({ method = "GET", path, versionPath = DEFAULT_VERSION_PATH, companyId, ...opts }) {
    return axios({
      method,
      url: `${BASE_URL}${versionPath}${path}`,
      headers: {
        Authorization: `Bearer ${this.auth.oauth_access_token}`,
        "Procore-Company-Id": companyId,
      },
      ...opts,
    });
  }

  get(args) {
    return this._makeRequest({ method: "GET", ...args });
  }

  post(args) {
    return this._makeRequest({ method: "POST", ...args });
  }

  patch(args) {
    return this._makeRequest({ method: "PATCH", ...args });
  }
}
