// A TypeScript client generated from the same document: camelCase methods.
import { ProjectVendorsApi, Configuration } from "./generated";

const vendorsApi = new ProjectVendorsApi(new Configuration({ accessToken }));

export async function vendors(projectId: number, companyId: number) {
  return vendorsApi.restV10ProjectsProjectIdVendorsGet(projectId, companyId);
}
