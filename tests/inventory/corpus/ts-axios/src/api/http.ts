import axios, { AxiosInstance } from "axios";

export const procore: AxiosInstance = axios.create({
  baseURL: "https://api.procore.com/rest/v1.0",
  timeout: 30_000,
});

export function withCompany(companyId: number) {
  return { headers: { "Procore-Company-Id": String(companyId) } };
}
