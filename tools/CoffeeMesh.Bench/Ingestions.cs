using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CoffeeMesh.Bench;

/// <summary>The ingest API as the bench uses it: starting ingestions two ways, and waiting for one to end.</summary>
public static class Ingestions
{
    /// <summary>A file already under the landing folder (<paramref name="source"/> relative to it): POST /ingestions. Returns the ingestion id.</summary>
    public static async Task<Guid> RequestAsync(HttpClient ingest, string source)
    {
        var response = await ingest.PostAsJsonAsync("/ingestions", new { source });
        return await IdOfAsync(response, "POST /ingestions");
    }

    /// <summary>
    /// A file from outside the landing folder, its bytes streamed to ingest over HTTP as the CLI
    /// uploads it (the raw body of POST /ingestions/upload?name=, read from disk as it is sent).
    /// Returns the ingestion id.
    /// </summary>
    public static async Task<Guid> UploadAsync(HttpClient ingest, string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var content = new StreamContent(stream, 1 << 20);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        return await IdOfAsync(await ingest.PostAsync($"/ingestions/upload?name={Uri.EscapeDataString(Path.GetFileName(file))}", content),
            "POST /ingestions/upload");
    }

    /// <summary>Polls an ingestion every <paramref name="poll"/> until it is completed; throws if it fails or takes over an hour.</summary>
    public static async Task<JsonObject> WaitCompletedAsync(HttpClient ingest, Guid id, TimeSpan poll)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var status = (await ingest.GetFromJsonAsync<JsonObject>($"/ingestions/{id}"))!;
            var state = status["state"]!.GetValue<string>();
            if (state == "completed") return status;
            if (state == "failed") throw new InvalidOperationException($"ingestion {id} failed: {status.ToJsonString()}");
            if (sw.Elapsed > TimeSpan.FromHours(1)) throw new TimeoutException(status.ToJsonString());
            await Task.Delay(poll);
        }
    }

    private static async Task<Guid> IdOfAsync(HttpResponseMessage response, string what)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {body}");
            return JsonNode.Parse(body)!["ingestion_id"]!.GetValue<Guid>();
        }
    }
}
