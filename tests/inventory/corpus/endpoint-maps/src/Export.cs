using System.Net.Http;
using System.Threading.Tasks;

// Reads two safety tools in a foreach over an inline array.
public class SafetyExport
{
    private const string Api = "https://api.procore.com/rest/v1.0";

    public async Task Run(HttpClient client, long projectId)
    {
        foreach (var tool in new[] { "incidents/actions", "observations/types" })
        {
            await client.GetAsync($"{Api}/projects/{projectId}/{tool}");
        }
    }
}
