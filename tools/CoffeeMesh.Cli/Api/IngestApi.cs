using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CoffeeMesh.Contracts;

namespace CoffeeMesh.Cli.Api;

/// <summary>
/// The ingest service's HTTP API as the CLI uses it. Statuses come back typed (the contract record)
/// and as the raw JSON the service sent, which <c>--json</c> prints unchanged. Network failures
/// surface as <see cref="HttpRequestException"/>.
/// </summary>
public sealed class IngestApi : IDisposable
{
    /// <summary>The service's default address when neither --url nor COFFEEMESH_INGEST_URL says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5380";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;

    /// <param name="url">Base address of ingest; null: COFFEEMESH_INGEST_URL, else <see cref="DefaultUrl"/>.</param>
    public IngestApi(string? url) => _http = new HttpClient
    {
        BaseAddress = new Uri(url ?? Environment.GetEnvironmentVariable("COFFEEMESH_INGEST_URL") ?? DefaultUrl),
        // An upload of a large file over a slow link; status polls answer in milliseconds.
        Timeout = TimeSpan.FromMinutes(30),
    };

    /// <summary>Asks ingest to read a file already under its landing folder (path relative to it).</summary>
    public Task<HttpResponseMessage> RequestAsync(string source, DateOnly? from, DateOnly? to, CancellationToken ct) =>
        _http.PostAsJsonAsync("/ingestions", new { source, from = Iso(from), to = Iso(to) }, ct);

    /// <summary>
    /// Uploads a file as the request body, read from disk as it is sent (no copy in memory, one pass);
    /// ingest writes it under landing/uploads/ as it arrives.
    /// </summary>
    public Task<HttpResponseMessage> UploadAsync(string path, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var query = $"?name={Uri.EscapeDataString(Path.GetFileName(path))}" +
                    (from is null ? "" : $"&from={Iso(from)}") + (to is null ? "" : $"&to={Iso(to)}");
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        // Disposed with the request; the length is known, so the body goes with Content-Length, not chunked.
        var content = new StreamContent(file, 1 << 20);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return _http.PostAsync("/ingestions/upload" + query, content, ct);
    }

    /// <summary>One ingestion's status; null when ingest does not know the id.</summary>
    public async Task<Fetched<IngestionStatus>?> StatusAsync(Guid id, CancellationToken ct)
    {
        using var response = await _http.GetAsync($"/ingestions/{id}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return await ReadAsync<IngestionStatus>(response, ct);
    }

    /// <summary>The most recent ingestions, newest first (limit 1 to 1000).</summary>
    public async Task<Fetched<IReadOnlyList<IngestionStatus>>> ListAsync(int limit, CancellationToken ct)
    {
        using var response = await _http.GetAsync($"/ingestions?limit={limit}", ct);
        return await ReadAsync<IReadOnlyList<IngestionStatus>>(response, ct);
    }

    /// <summary>GET of a JSON document by path (errors, ...).</summary>
    public Task<string> GetStringAsync(string path, CancellationToken ct) => _http.GetStringAsync(path, ct);

    public Task<HttpResponseMessage> PostAsync(string path, CancellationToken ct) => _http.PostAsync(path, null, ct);

    private static async Task<Fetched<T>> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri?.AbsolutePath}: {Problem.Detail(body)}", null, response.StatusCode);
        return new Fetched<T>(JsonSerializer.Deserialize<T>(body, Json) ?? throw new JsonException($"empty answer from {response.RequestMessage?.RequestUri}"), body);
    }

    private static string? Iso(DateOnly? date) => date?.ToString("yyyy-MM-dd");

    public void Dispose() => _http.Dispose();
}

/// <summary>A typed answer and the JSON text it was read from.</summary>
public sealed record Fetched<T>(T Value, string Json);
