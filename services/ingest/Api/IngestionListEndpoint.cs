using System.Text.Json.Nodes;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.Ingest.Api;

/// <summary>
/// GET /ingestions?limit=N (1 to 1000, default 20): the most recent ingestions' statuses, newest
/// first, as a JSON array of the status GET /ingestions/{id} answers. A stand-in for the CLI's
/// `ingestions` command and its tests until the ledger's own list replaces it (one status read per
/// ingestion, each asking the stages).
/// </summary>
public static class IngestionListEndpoint
{
    public static WebApplication MapIngestionListEndpoint(this WebApplication app)
    {
        app.MapGet("/ingestions", async (int? limit, ServiceStore store, IngestionStatusView view, CancellationToken ct) =>
        {
            if (limit is < 1 or > 1000) return Results.Problem(detail: "'limit' must be 1 to 1000", statusCode: StatusCodes.Status400BadRequest);
            var ids = new List<Guid>();
            await using (var c = await store.OpenAsync(ct))
            await using (var reader = await c.Command("SELECT ingestion_id FROM ingestion ORDER BY ingestion_number DESC LIMIT @n")
                             .With("@n", limit ?? 20).ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
            var list = new JsonArray();
            foreach (var id in ids)
                if (await view.GetAsync(id, ct) is { } status) list.Add(status);
            return Results.Json(list);
        });
        return app;
    }
}
