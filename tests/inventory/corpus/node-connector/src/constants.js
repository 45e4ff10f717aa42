export const BASE_URL = "https://api.procore.com";
export const DEFAULT_VERSION_PATH = "/rest/v1.0";
export const PAGE_SIZE = 100;
