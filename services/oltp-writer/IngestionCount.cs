using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OltpWriter;

/// <summary>What MySQL holds of one ingestion, counted from the tables, never from a counter.</summary>
public static class IngestionCount
{
    /// <summary>
    /// Each stored batch as ingestion_batch records it, the quarantine reasons, the sales rows whose
    /// current version came from the ingestion (a range of row_version: <see cref="SalesTsv.VersionRange"/>),
    /// and its first 100 attribute changes.
    /// </summary>
    public static async Task<IngestionCounted> CountAsync(ServiceStore store, IngestionCountRequested request, CancellationToken ct)
    {
        var id = request.IngestionId;
        await using var c = await store.OpenAsync(ct);
        var batches = new List<CountedBatch>();
        await using (var r = await c.Command(
                             "SELECT sequence, rows_read, accepted, superseded, quarantined, out_of_range FROM ingestion_batch WHERE ingestion_id = @id ORDER BY sequence")
                         .With("@id", id).ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                int I(int i) => Convert.ToInt32(r.GetValue(i));
                batches.Add(new CountedBatch(I(0), I(1), I(2) - I(3), I(4), I(5), I(3), 0));
            }
        var byReason = new Dictionary<string, long>();
        await using (var r = await c.Command("SELECT reason, COUNT(*) FROM quarantine_reason WHERE ingestion_id = @id GROUP BY reason ORDER BY reason")
                         .With("@id", id).ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) byReason[r.GetString(0)] = Convert.ToInt64(r.GetValue(1));
        var (from, to) = SalesTsv.VersionRange(request.IngestionNumber);
        var rows = Convert.ToInt64(await c.Command("SELECT COUNT(*) FROM sales WHERE row_version BETWEEN @from AND @to")
            .With("@from", from).With("@to", to).ExecuteScalarAsync(ct));
        var (changes, total) = await AttributeChange.ListAsync(store, id, 100, ct);
        return new IngestionCounted
        {
            IngestionId = id,
            Stage = "oltp-writer",
            Batches = batches,
            Rows = rows,
            ByReason = byReason,
            AttributeChanges = changes.Select(a => new AttributeChanged(a.Dimension, a.Id, a.ValidFrom, a.From, a.To)).ToList(),
            AttributeChangesTotal = total,
        };
    }
}
