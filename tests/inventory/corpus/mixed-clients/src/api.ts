export class ProcoreApi {
  private readonly baseUrl = "https://api.procore.com/rest/v1.0";
  constructor(private http: HttpClient) {}
  rfis(projectId: number) {
    return this.http.get<Rfi[]>(`${this.baseUrl}/projects/${projectId}/rfis`);
  }
  deleteTodo(projectId: number, id: number) {
    return fetch(`${this.baseUrl}/projects/${projectId}/todos/${id}`, { method: "DELETE" });
  }
}
