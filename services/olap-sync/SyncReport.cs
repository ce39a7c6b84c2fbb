using System.Text.Json.Serialization;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OlapSync;

/// <summary>What the star schema holds for one ingestion: counted from the tables.</summary>
public sealed record SyncReport
{
    [JsonPropertyName("ingestion_id")] public Guid IngestionId { get; init; }
    [JsonPropertyName("batches_synced")] public int BatchesSynced { get; init; }
    [JsonPropertyName("rows_synced")] public long RowsSynced { get; init; }
    /// <summary>When the latest of its batches was synced (UTC).</summary>
    [JsonPropertyName("last_synced_at")] public DateTime? LastSyncedAt { get; init; }
    /// <summary>Facts the star schema refused (stored in MySQL, not here), and why: see sync_rejected.</summary>
    [JsonPropertyName("rejected_olap")] public long RejectedOlap { get; init; }
    [JsonPropertyName("rejected_olap_reasons")] public Dictionary<string, long> RejectedOlapReasons { get; init; } = [];
    /// <summary>Facts whose current version came from this ingestion: counted only once every expected batch is synced (it reads them all).</summary>
    [JsonPropertyName("synced_olap")] public long? SyncedOlap { get; init; }

    public static async Task<SyncReport> LoadAsync(ServiceStore store, Guid id, int? expectedBatches, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        int batches = 0; long rows = 0, number = 0;
        DateTime? last = null;
        await using (var r = await c.Command(
                         "SELECT COUNT(*), COALESCE(SUM(rows_synced), 0), COALESCE(MAX(ingestion_number), 0), MAX(synced_at) FROM sync_batch WHERE ingestion_id = @id")
                         .With("@id", id).ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct))
            {
                batches = Convert.ToInt32(r.GetValue(0)); rows = Convert.ToInt64(r.GetValue(1)); number = Convert.ToInt64(r.GetValue(2));
                last = r.IsDBNull(3) ? null : r.GetDateTime(3).ToUniversalTime();
            }
        long? facts = null;
        if (batches >= expectedBatches)
        {
            var (from, to) = SalesTsv.VersionRange(number);
            facts = number == 0 ? 0 : Convert.ToInt64(await c.Command("SELECT COUNT(*) FROM fact_sales WHERE row_version BETWEEN @from AND @to")
                .With("@from", from).With("@to", to).ExecuteScalarAsync(ct));
        }
        var reasons = new Dictionary<string, long>();
        await using (var r = await c.Command("SELECT detail, COUNT(*) FROM sync_rejected WHERE ingestion_id = @id GROUP BY detail ORDER BY 2 DESC LIMIT 20")
                         .With("@id", id).ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) reasons[r.GetString(0)] = r.GetInt64(1);
        return new SyncReport
        {
            IngestionId = id, BatchesSynced = batches, RowsSynced = rows, SyncedOlap = facts, LastSyncedAt = last,
            RejectedOlap = Convert.ToInt64(await c.Command("SELECT COUNT(*) FROM sync_rejected WHERE ingestion_id = @id").With("@id", id).ExecuteScalarAsync(ct)),
            RejectedOlapReasons = reasons,
        };
    }
}
