interface Props { projectId: number; taskId: number; app: any }

export async function updateTask(props: Props, body: object): Promise<unknown> {
  const path: string = "/projects/" + props.projectId + "/tasks/" + props.taskId;
  return props.app.patch({ path, data: body });
}

export async function listVendors(app: any, companyId: number) {
  return app.get({ path: `/companies/${companyId}/vendors`, params: { per_page: 100 } });
}
