using System.Net;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.WarehouseLoader.Warehouse;
using Google;
using Google.Cloud.Storage.V1;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.WarehouseLoader;

/// <summary>
/// <c>POST /</c>: one object-finalized CloudEvent, the Cloud Run way. Answers 2xx only once the object is in the
/// warehouse (or was already: loads are keyed by bucket/name#generation), or when the object is not ours to load
/// (outside the processed prefix, another bucket, gone); 400 for a request that is not such an event; 413 over
/// Warehouse:MaxEventBytes; 422 for content that is not processed CSV; 503 when the load failed, so that the sender
/// retries. The load itself: <see cref="ObjectLoader"/>.
/// </summary>
public static class FinalizedEventEndpoint
{
    public static void Map(WebApplication app) => app.MapPost("/", HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext http, ObjectLoader loader, IOptions<WarehouseLoaderOptions> options, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger(typeof(FinalizedEventEndpoint));
        var o = options.Value;
        var ct = http.RequestAborted;
        if (http.Request.ContentLength > o.MaxEventBytes) return TooLarge(o);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = o.MaxEventBytes;

        FinalizedObject finalized;
        try
        {
            finalized = await FinalizedObject.ReadAsync(http.Request, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(o);
        }
        catch (FormatException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Not an object-finalized CloudEvent");
        }

        if (finalized.EventType != FinalizedObject.Type)
            return Ignored(log, finalized, $"event type {finalized.EventType} is not {FinalizedObject.Type}");
        if (o.Bucket is { } bucket && finalized.Bucket != bucket) return Ignored(log, finalized, $"bucket {finalized.Bucket} is not {bucket}");
        if (!finalized.Name.StartsWith(o.ObjectPrefix, StringComparison.Ordinal) || !finalized.Name.EndsWith(".csv", StringComparison.Ordinal))
            return Ignored(log, finalized, $"outside {o.ObjectPrefix}*.csv");
        if (finalized.Size > o.MaxObjectBytes) return Ignored(log, finalized, $"larger than Warehouse:MaxObjectBytes ({o.MaxObjectBytes} bytes)", warn: true);
        if (ProcessedObject.From(finalized.Bucket, finalized.Name, finalized.Generation, finalized.Metadata, out var reason) is not { } processed)
            return Ignored(log, finalized, "not a processed object of cloud-publisher: " + reason, warn: true);

        using var activity = MessagingDiagnostics.ActivitySource.StartActivity("warehouse-loader load object");
        activity?.SetTag("coffeemesh.ingestion_id", processed.IngestionId).SetTag("coffeemesh.sequence", processed.Sequence)
            .SetTag("gcs.object", processed.Key);
        using var scope = log.BeginScope(new Dictionary<string, object> { ["IngestionId"] = processed.IngestionId, ["Sequence"] = processed.Sequence });
        LoadedObject loaded;
        try
        {
            loaded = await loader.LoadAsync(processed, ct);
        }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound)
        {
            // That generation was deleted or replaced: there is nothing left to load.
            return Ignored(log, finalized, "the object generation no longer exists", warn: true);
        }
        catch (InvalidDataException e)
        {
            log.LogError("Refused {Object}: {Reason}", processed.Key, e.Message);
            return Results.Problem(e.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The object is not processed CSV");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogWarning(e, "Loading {Object} failed; the sender will retry", processed.Key);
            return Results.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The load failed; retry");
        }

        activity?.SetTag("coffeemesh.rows", loaded.Rows);
        return Results.Ok(new { loaded = processed.Key, rows = loaded.Rows, loaded_at = loaded.LoadedAt });
    }

    private static IResult Ignored(ILogger log, FinalizedObject e, string why, bool warn = false)
    {
        log.Log(warn ? LogLevel.Warning : LogLevel.Information, "Event {EventId} for {Bucket}/{Name} acknowledged, not loaded: {Why}", e.EventId, e.Bucket, e.Name, why);
        return Results.Ok(new { ignored = $"{e.Bucket}/{e.Name}#{e.Generation}", reason = why });
    }

    private static IResult TooLarge(WarehouseLoaderOptions o) =>
        Results.Problem($"An event is at most {o.MaxEventBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Event too large");
}
