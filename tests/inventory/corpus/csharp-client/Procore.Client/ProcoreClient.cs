using System;
using System.Net.Http;
using System.Threading.Tasks;

namespace Procore.Client
{
    public class ProcoreClient
    {
        private const string ApiPrefix = "rest/v1.0/";
        private readonly HttpClient _http;

        public ProcoreClient(HttpClient http)
        {
            _http = http;
            _http.BaseAddress = new Uri("https://api.procore.com/");
        }

        public async Task<string> SendAsync(ProcoreRequest request)
        {
            var message = new HttpRequestMessage(request.Method, ApiPrefix + request.Resource.TrimStart('/'));
            var response = await _http.SendAsync(message);
            return await response.Content.ReadAsStringAsync();
        }
    }
}
