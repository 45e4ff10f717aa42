using RestSharp;
public class RfiClient
{
    private readonly RestClient _client = new RestClient("https://api.procore.com/rest/v1.0");
    public async Task<string> Create(long projectId, object rfi)
    {
        var request = new RestRequest($"projects/{projectId}/rfis", Method.Post);
        request.AddJsonBody(rfi);
        var response = await _client.ExecuteAsync(request);
        return response.Content;
    }
    public Task<RestResponse> Observations(long projectId) =>
        _client.ExecuteGetAsync(new RestRequest($"projects/{projectId}/observations/items"));
}
