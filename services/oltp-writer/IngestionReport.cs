using System.Text.Json.Serialization;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OltpWriter;

/// <summary>What MySQL holds for one ingestion: counted from the tables, never from a counter.</summary>
public sealed record IngestionReport
{
    [JsonPropertyName("ingestion_id")] public Guid IngestionId { get; init; }
    /// <summary>Null until ingest has reported the end of the source.</summary>
    [JsonPropertyName("batches_expected")] public int? BatchesExpected { get; init; }
    [JsonPropertyName("rows_read")] public long? RowsRead { get; init; }
    [JsonPropertyName("read_error")] public string? ReadError { get; init; }
    [JsonPropertyName("batches_stored")] public int BatchesStored { get; init; }
    /// <summary>When the latest of its batches was stored (UTC): how ingest tells a stalled ingestion.</summary>
    [JsonPropertyName("last_stored_at")] public DateTime? LastStoredAt { get; init; }
    [JsonPropertyName("rows_in_stored_batches")] public long RowsInStoredBatches { get; init; }
    [JsonPropertyName("accepted")] public long Accepted { get; init; }
    [JsonPropertyName("superseded")] public long Superseded { get; init; }
    [JsonPropertyName("quarantined")] public long Quarantined { get; init; }
    [JsonPropertyName("out_of_range")] public long OutOfRange { get; init; }
    [JsonPropertyName("quarantined_by_reason")] public Dictionary<string, long> QuarantinedByReason { get; init; } = [];
    /// <summary>
    /// Sales rows whose current version came from this ingestion: counted only once every expected
    /// batch is stored, since the count reads all of the ingestion's rows (a status poll every
    /// 100 ms that counted 10M rows each time cost MariaDB a third of its CPU).
    /// </summary>
    [JsonPropertyName("stored_oltp")] public long? StoredOltp { get; init; }
    /// <summary>New versions of stores and products this ingestion made (at most 100 listed; the total beside).</summary>
    [JsonPropertyName("attribute_changes")] public IReadOnlyList<AttributeChange> AttributeChanges { get; init; } = [];
    [JsonPropertyName("attribute_changes_total")] public long AttributeChangesTotal { get; init; }

    /// <summary>
    /// How many of an ingestion's batches are stored: what ingest paces its reading by, polled a few
    /// times a second while it waits, so it reads the batch table's key and nothing else.
    /// </summary>
    public static async Task<int> BatchesStoredAsync(ServiceStore store, Guid id, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        return Convert.ToInt32(await c.Command("SELECT COUNT(*) FROM ingestion_batch WHERE ingestion_id = @id").With("@id", id).ExecuteScalarAsync(ct));
    }

    public static async Task<IngestionReport> LoadAsync(ServiceStore store, Guid id, int? expectedBatches, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        int? expected = null; long? rowsRead = null; string? error = null;
        await using (var r = await c.Command("SELECT rows_read, batches, error FROM ingestion WHERE ingestion_id = @id").With("@id", id).ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct)) { rowsRead = r.GetInt64(0); expected = r.GetInt32(1); error = r.IsDBNull(2) ? null : r.GetString(2); }

        int batches = 0; long read = 0, accepted = 0, superseded = 0, quarantined = 0, oor = 0, number = 0;
        DateTime? lastStored = null;
        await using (var r = await c.Command(
                         """
                         SELECT COUNT(*), COALESCE(SUM(rows_read),0), COALESCE(SUM(accepted),0), COALESCE(SUM(superseded),0),
                                COALESCE(SUM(quarantined),0), COALESCE(SUM(out_of_range),0), COALESCE(MAX(ingestion_number),0), MAX(stored_at)
                         FROM ingestion_batch WHERE ingestion_id = @id
                         """).With("@id", id).ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct))
            {
                batches = Convert.ToInt32(r.GetValue(0)); read = Convert.ToInt64(r.GetValue(1)); accepted = Convert.ToInt64(r.GetValue(2));
                superseded = Convert.ToInt64(r.GetValue(3)); quarantined = Convert.ToInt64(r.GetValue(4)); oor = Convert.ToInt64(r.GetValue(5));
                number = Convert.ToInt64(r.GetValue(6));
                lastStored = r.IsDBNull(7) ? null : DateTime.SpecifyKind(r.GetDateTime(7), DateTimeKind.Utc);
            }

        var byReason = new Dictionary<string, long>();
        await using (var r = await c.Command("SELECT reason, COUNT(*) FROM quarantine_reason WHERE ingestion_id = @id GROUP BY reason ORDER BY reason")
                         .With("@id", id).ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) byReason[r.GetString(0)] = Convert.ToInt64(r.GetValue(1));

        long? stored = null;
        if (batches >= expectedBatches)
        {
            var (from, to) = SalesTsv.VersionRange(number);
            stored = number == 0 ? 0 : Convert.ToInt64(await c.Command("SELECT COUNT(*) FROM sales WHERE row_version BETWEEN @from AND @to")
                .With("@from", from).With("@to", to).ExecuteScalarAsync(ct));
        }
        var (changes, changesTotal) = await AttributeChange.ListAsync(store, id, 100, ct);
        return new IngestionReport
        {
            AttributeChanges = changes, AttributeChangesTotal = changesTotal,
            IngestionId = id, BatchesExpected = expected, RowsRead = rowsRead, ReadError = error, BatchesStored = batches, LastStoredAt = lastStored,
            RowsInStoredBatches = read, Accepted = accepted, Superseded = superseded, Quarantined = quarantined, OutOfRange = oor,
            QuarantinedByReason = byReason, StoredOltp = stored,
        };
    }
}
