using System;
using System.Net.Http;
using System.Threading.Tasks;

// An HttpClient whose BaseAddress is set after it is made, for the v1.1 documents tool;
// one call still gives a full v1.0 path.
public class DocumentsApi
{
    private readonly HttpClient _client;

    public DocumentsApi(HttpClient client)
    {
        _client = client;
        _client.BaseAddress = new Uri("https://api.procore.com/rest/v1.1/");
    }

    public Task<HttpResponseMessage> Documents(long projectId) =>
        _client.GetAsync($"projects/{projectId}/documents");

    public Task<HttpResponseMessage> ChangeEvents(long projectId, HttpContent body) =>
        _client.PostAsync($"/rest/v1.0/projects/{projectId}/change_events", body);
}
