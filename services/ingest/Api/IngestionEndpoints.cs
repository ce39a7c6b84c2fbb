using CoffeeMesh.Ingest.Ingestions;
using CoffeeMesh.Ingest.Reading;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Api;

public static class IngestionEndpoints
{
    private const long MaxJsonBody = 16 * 1024;
    private const int MaxListed = 200;

    public static WebApplication MapIngestionEndpoints(this WebApplication app)
    {
        // A file already under the landing folder.
        app.MapPost("/ingestions", async (HttpContext http, IngestionStore store, LandingFolder landing, IOptions<IngestOptions> options, CancellationToken ct) =>
            {
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

        // A file uploaded with the request (multipart field "file"), saved under uploads/.
        app.MapPost("/ingestions/upload", async (HttpContext http, IngestionStore store, LandingFolder landing, IOptions<IngestOptions> options, CancellationToken ct) =>
            {
                var limit = options.Value.MaxUploadBytes;
                http.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = limit + 64 * 1024;
                if (http.Request.ContentLength > limit + 64 * 1024)
                    return Problem($"upload is larger than the limit of {limit} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
                if (!http.Request.HasFormContentType) return Problem("expected multipart/form-data with a 'file' field");
                IFormCollection form;
                try { form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit }, ct); }
                catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
                {
                    return Problem($"upload rejected: {e.Message}", statusCode: StatusCodes.Status413PayloadTooLarge);
                }
                if (form.Files.GetFile("file") is not { } file) return Problem("the form has no 'file' field");
                if (!TryDate(form["from"], out var from) || !TryDate(form["to"], out var to)) return Problem("'from' and 'to' must be dates like 2025-01-31");
                if (from is { } f && to is { } t && f > t) return Problem("'from' is after 'to'");

                var id = Guid.NewGuid();
                var path = Path.Combine(landing.Uploads, $"{id:N}.csv");
                await using (var target = File.Create(path))
                    await file.CopyToAsync(target, ct);
                return await CreateAsync(store, landing, options.Value, path, from, to, ct, id);
            })
            .DisableAntiforgery();

        app.MapGet("/ingestions/{id:guid}", async (Guid id, IngestionStatusView status, CancellationToken ct) =>
            await status.GetAsync(id, ct) is { } found ? Results.Json(found) : Results.NotFound());
        // Recent ingestions, newest first.
        app.MapGet("/ingestions", async (int? limit, IngestionStatusView status, CancellationToken ct) =>
            limit is < 1 or > MaxListed
                ? Problem($"'limit' must be 1 to {MaxListed}")
                : Results.Json(await status.ListAsync(limit ?? 20, ct)));
        return app;
    }

    private static async Task<IResult> CreateAsync(IngestionStore store, LandingFolder landing, IngestOptions options, string path,
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

    private static bool TryDate(string? text, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", out var d)) return false;
        date = d;
        return true;
    }

    private static IResult Problem(string detail, string? more = null, int statusCode = StatusCodes.Status400BadRequest) =>
        Results.Problem(detail: more is null ? detail : $"{detail} ({more})", statusCode: statusCode);
}
