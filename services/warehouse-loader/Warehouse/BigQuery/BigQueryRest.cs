using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;

namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>One answer of the REST API: its HTTP status and JSON body (null when it had none).</summary>
internal readonly record struct BigQueryResponse(int Status, JsonNode? Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The first ErrorProto reason of an error answer (e.g. duplicate, notFound, rateLimitExceeded).</summary>
    public string? Reason => Body?["error"]?["errors"]?[0]?["reason"]?.GetValue<string>();

    public string Message => Body?["error"]?["message"]?.GetValue<string>() ?? $"HTTP {Status}";

    /// <summary>This answer as the exception a caller throws when it did not expect it.</summary>
    public BigQueryException Failure(string what, string? jobId = null) =>
        new($"{what}: HTTP {Status} {Reason}: {Message}", Status, Reason, jobId);
}

/// <summary>
/// HTTP to BigQuery's REST API (<c>{Endpoint}bigquery/v2/</c>): JSON in and out, and retries. A request that
/// gets a 5xx, a 429, a 403 rateLimitExceeded or a dropped connection is sent again, same body, after a
/// backoff, at most <see cref="BigQueryOptions.MaxRetries"/> times; a jobs.insert retried this way carries the
/// same job id, so a first attempt that did reach BigQuery shows up as a 409 the caller adopts.
/// </summary>
internal sealed class BigQueryRest
{
    private readonly HttpClient _http;
    private readonly Uri _root;
    private readonly ResiliencePipeline<BigQueryResponse> _retry;

    public BigQueryRest(HttpClient http, BigQueryOptions options)
    {
        _http = http;
        _root = new Uri(new Uri(options.Endpoint), "bigquery/v2/");
        _retry = new ResiliencePipelineBuilder<BigQueryResponse>()
            .AddRetry(new RetryStrategyOptions<BigQueryResponse>
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryDelay,
                MaxDelay = TimeSpan.FromSeconds(32),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && Retryable(args.Outcome, args.Context.CancellationToken)),
            })
            .Build();
    }

    /// <summary>Project-relative path segments are escaped by the caller; ids here are [A-Za-z0-9_-] anyway.</summary>
    public Task<BigQueryResponse> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<BigQueryResponse> PostAsync(string path, JsonNode body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<BigQueryResponse> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    /// <summary>
    /// Sends one request, retried as the class says. Returns the last answer whatever its status (the caller
    /// decides what a 404 or a 409 means).
    /// </summary>
    /// <exception cref="HttpRequestException">The connection failed on every attempt.</exception>
    /// <exception cref="IOException">The connection dropped on every attempt.</exception>
    public async Task<BigQueryResponse> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        var uri = new Uri(_root, path);
        var text = body?.ToJsonString();
        return await _retry.ExecuteAsync(async token =>
        {
            using var request = new HttpRequestMessage(method, uri);
            if (text is not null) request.Content = new StringContent(text, System.Text.Encoding.UTF8, "application/json");
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            var content = await response.Content.ReadAsStringAsync(token);
            JsonNode? json = null;
            if (content.Length > 0)
            {
                try { json = JsonNode.Parse(content); }
                catch (System.Text.Json.JsonException) when (!response.IsSuccessStatusCode) { } // a proxy's HTML error page
            }
            return new BigQueryResponse((int)response.StatusCode, json);
        }, ct);
    }

    private static bool Retryable(Outcome<BigQueryResponse> outcome, CancellationToken ct) => outcome switch
    {
        { Exception: HttpRequestException or IOException } => true,
        // HttpClient's own timeout surfaces as a cancellation that the caller did not ask for.
        { Exception: OperationCanceledException } => !ct.IsCancellationRequested,
        { Exception: null } => outcome.Result.Status is >= 500 or 429
            || (outcome.Result.Status == 403 && outcome.Result.Reason is "rateLimitExceeded"),
        _ => false,
    };
}
