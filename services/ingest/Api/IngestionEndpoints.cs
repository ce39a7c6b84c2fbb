using CoffeeMesh.Ingest.Ingestions;
using CoffeeMesh.Ingest.Reading;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Api;

public static class IngestionEndpoints
{
    private const long MaxJsonBody = 16 * 1024;
    private const int MaxListed = 1000;

    public static WebApplication MapIngestionEndpoints(this WebApplication app)
    {
        // A file already under the landing folder.
        app.MapPost("/ingestions", async (HttpContext http, IngestionStore store, LandingFolder landing, IOptions<IngestOptions> options, CancellationToken ct) =>
            {
                if (!http.Request.HasJsonContentType())
                    return Problem("the body must be JSON (Content-Type: application/json): {\"source\": \"file.csv\", \"from\": \"2025-01-01\", \"to\": \"2025-01-31\"}",
                        statusCode: StatusCodes.Status415UnsupportedMediaType);
                IngestionRequest? request;
                try { request = await http.Request.ReadFromJsonAsync<IngestionRequest>(ct); }
                catch (Exception e) when (e is System.Text.Json.JsonException or BadHttpRequestException)
                {
                    return Problem("the body must be JSON: {\"source\": \"file.csv\", \"from\": \"2025-01-01\", \"to\": \"2025-01-31\"}", e.Message);
                }
                if (request?.Source is not { } source || string.IsNullOrWhiteSpace(source))
                    return Problem("'source' is required: a file path relative to the landing folder");
                if (request.From is { } f && request.To is { } t && f > t)
                    return Problem("'from' is after 'to'");
                var path = landing.Resolve(source);
                if (path is null) return Problem($"'{source}' is outside the landing folder", statusCode: StatusCodes.Status403Forbidden);
                if (!File.Exists(path)) return Problem($"'{source}' does not exist under the landing folder", statusCode: StatusCodes.Status404NotFound);
                return await CreateAsync(store, landing, options.Value, path, request.From, request.To, ct);
            })
            .WithMetadata(new RequestSizeLimitAttribute(MaxJsonBody));

        // A file sent with the request, streamed into uploads/ (UploadEndpoint).
        app.MapUploadEndpoint();

        app.MapGet("/ingestions/{id:guid}", async (Guid id, IngestionStatusView status, CancellationToken ct) =>
            await status.GetAsync(id, ct) is { } found ? Results.Json(found) : Problem($"no ingestion {id}", statusCode: StatusCodes.Status404NotFound));
        // Recent ingestions, newest first.
        app.MapGet("/ingestions", async (int? limit, IngestionStatusView status, CancellationToken ct) =>
            limit is < 1 or > MaxListed
                ? Problem($"'limit' must be 1 to {MaxListed}")
                : Results.Json(await status.ListAsync(limit ?? 20, ct)));
        return app;
    }

    internal static async Task<IResult> CreateAsync(IngestionStore store, LandingFolder landing, IngestOptions options, string path,
        DateOnly? from, DateOnly? to, CancellationToken ct, Guid? id = null)
    {
        var record = new IngestionRecord
        {
            Id = id ?? Guid.NewGuid(),
            Source = landing.Relative(path),
            From = from,
            To = to,
            BatchSize = options.BatchSize,
            StartOffset = 0,
            EndOffset = new FileInfo(path).Length,
        };
        await store.CreateAsync(record, ct);
        return Results.Accepted($"/ingestions/{record.Id}", new IngestionAccepted(record.Id, record.Source, $"/ingestions/{record.Id}"));
    }

    private static IResult Problem(string detail, string? more = null, int statusCode = StatusCodes.Status400BadRequest) =>
        Results.Problem(detail: more is null ? detail : $"{detail} ({more})", statusCode: statusCode);
}
