using System.Text.RegularExpressions;
using CoffeeMesh.Ingest.Ingestions;
using CoffeeMesh.Ingest.Reading;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Api;

/// <summary>
/// POST or PUT /ingestions/upload[?name=F&amp;from=yyyy-MM-dd&amp;to=yyyy-MM-dd]: a file sent with the
/// request, streamed into landing/uploads/ as it arrives (see <see cref="UploadReceiver"/>), then
/// ingested like any file there. 202 with the ingestion's id; 400 bad dates or form; 413 larger
/// than Ingest:MaxUploadBytes; 415 another content type.
/// </summary>
public static partial class UploadEndpoint
{
    public static WebApplication MapUploadEndpoint(this WebApplication app)
    {
        app.MapMethods("/ingestions/upload", [HttpMethods.Post, HttpMethods.Put],
                async (HttpContext http, IngestionStore store, LandingFolder landing, IOptions<IngestOptions> options, CancellationToken ct) =>
                {
                    var id = Guid.NewGuid();
                    var (upload, refusal) = await UploadReceiver.ReceiveAsync(http.Request, name => Path.Combine(landing.Uploads, FileName(id, name)),
                        options.Value.MaxUploadBytes, ct);
                    if (refusal is not null) return Results.Problem(detail: refusal.Detail, statusCode: refusal.StatusCode);
                    return await IngestionEndpoints.CreateAsync(store, landing, options.Value, upload!.Path, upload.From, upload.To, ct, id);
                })
            .DisableAntiforgery();
        return app;
    }

    /// <summary>
    /// The upload's file name under uploads/: the ingestion id, then the client's file name (its
    /// last path part, other characters than letters, digits, '.', '-' and '_' replaced, at most 100),
    /// so that the source an ingestion lists says what was uploaded.
    /// </summary>
    public static string FileName(Guid id, string? clientName)
    {
        var name = Path.GetFileName(clientName ?? "").Trim();
        name = Unsafe().Replace(name, "_").TrimStart('.');
        if (name.Length > 100) name = name[^100..];
        return name.Length == 0 ? $"{id:N}.csv" : $"{id:N}-{name}";
    }

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex Unsafe();
}
