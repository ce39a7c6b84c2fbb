using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OlapSync;

/// <summary>What the star schema holds of one ingestion, counted from the tables.</summary>
public static class FactCount
{
    /// <summary>
    /// Each synced batch as sync_batch records it, the facts whose current version came from the
    /// ingestion (a range of row_version), and the facts PostgreSQL refused, by its message (the 20 most frequent).
    /// </summary>
    public static async Task<IngestionCounted> CountAsync(ServiceStore store, IngestionCountRequested request, CancellationToken ct)
    {
        var id = request.IngestionId;
        await using var c = await store.OpenAsync(ct);
        var batches = new List<CountedBatch>();
        await using (var r = await c.Command("SELECT sequence, rows_synced FROM sync_batch WHERE ingestion_id = @id ORDER BY sequence")
                         .With("@id", id).ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) batches.Add(new CountedBatch(r.GetInt32(0), r.GetInt32(1), r.GetInt32(1), 0, 0, 0, 0));
        var (from, to) = SalesTsv.VersionRange(request.IngestionNumber);
        var facts = Convert.ToInt64(await c.Command("SELECT COUNT(*) FROM fact_sales WHERE row_version BETWEEN @from AND @to")
            .With("@from", from).With("@to", to).ExecuteScalarAsync(ct));
        var byReason = new Dictionary<string, long>();
        await using (var r = await c.Command("SELECT detail, COUNT(*) FROM sync_rejected WHERE ingestion_id = @id GROUP BY detail ORDER BY 2 DESC LIMIT 20")
                         .With("@id", id).ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) byReason[r.GetString(0)] = r.GetInt64(1);
        var rejected = Convert.ToInt64(await c.Command("SELECT COUNT(*) FROM sync_rejected WHERE ingestion_id = @id").With("@id", id).ExecuteScalarAsync(ct));
        return new IngestionCounted { IngestionId = id, Stage = "olap-sync", Batches = batches, Rows = facts, Rejected = rejected, ByReason = byReason };
    }
}
