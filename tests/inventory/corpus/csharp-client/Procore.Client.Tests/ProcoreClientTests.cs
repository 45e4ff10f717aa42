using Xunit;

public class ProcoreClientTests
{
    [Fact]
    public async void Sends()
    {
        var handler = new MockHttpMessageHandler();
        handler.When("https://api.procore.com/rest/v1.0/projects/1/rfis").Respond("application/json", "[]");
        await new HttpClient().DeleteAsync("https://api.procore.com/rest/v1.0/projects/1/rfis/2");
    }
}
