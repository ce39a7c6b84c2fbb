using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>The RabbitMQ management API, for looking at queues and cleaning up a test run.</summary>
public static class RabbitCleanup
{
    public static HttpClient Management()
    {
        var management = new Uri(TestEnvironment.Get("COFFEEMESH_RABBIT_MANAGEMENT"));
        var http = new HttpClient { BaseAddress = new Uri(management.GetLeftPart(UriPartial.Authority)) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(management.UserInfo))));
        return http;
    }

    /// <summary>Removes a test run's queues and exchanges (by prefix).</summary>
    public static async Task DeletePrefixedAsync(string prefix)
    {
        using var http = Management();
        foreach (var kind in new[] { "queues", "exchanges" })
        {
            var items = await http.GetFromJsonAsync<JsonArray>($"/api/{kind}/%2F") ?? [];
            foreach (var name in items.Select(i => i!["name"]!.GetValue<string>()).Where(n => n.StartsWith(prefix)))
                await http.DeleteAsync($"/api/{kind}/%2F/{Uri.EscapeDataString(name)}");
        }
    }
}
