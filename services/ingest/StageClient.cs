using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CoffeeMesh.Ingest;

/// <summary>Asks a later stage (oltp-writer, olap-sync) over HTTP, for the status page and for pacing.</summary>
public static class StageClient
{
    /// <summary>
    /// The stage's JSON answer; null while it does not answer: down, timed out, cut off by the
    /// resilience pipeline's circuit breaker, or answering with something that is not JSON.
    /// </summary>
    public static async Task<JsonObject?> GetAsync(HttpClient stage, string path, ILogger? logger, CancellationToken ct)
    {
        try
        {
            return await stage.GetFromJsonAsync<JsonObject>(path, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or OperationCanceledException
                                      or Polly.ExecutionRejectedException or System.Text.Json.JsonException)
        {
            logger?.LogWarning("{Stage} did not answer {Path}: {Error}", stage.BaseAddress, path, e.Message);
            return null;
        }
    }
}
