using System.Text.Json.Nodes;
using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest.Ingestions;
using CoffeeMesh.Ingest.Reading;

namespace CoffeeMesh.Ingest.Api;

/// <summary>
/// One ingestion across the stages: ingest's own watermark, and each later stage's counts as that
/// stage reports them from its database. state: queued | reading | processing | completed | failed.
/// </summary>
public sealed class IngestionStatus(IngestionStore ingestions, IHttpClientFactory http, ILogger<IngestionStatus> logger)
{
    public async Task<JsonObject?> GetAsync(Guid id, CancellationToken ct)
    {
        var r = await ingestions.GetAsync(id, ct);
        if (r is null) return null;
        // Both stages at once: a status poll waits for the slower one, not for the two in turn.
        // Once reading is done the batch count is known, and a stage that holds every batch also
        // counts the rows it keeps from this ingestion.
        int? expected = r.State == IngestionStates.Read ? r.NextSequence : null;
        var oltpReport = StageAsync("oltp-writer", id, expected, ct);
        var olapReport = StageAsync("olap-sync", id, expected, ct);
        var oltp = await oltpReport;
        var olap = await olapReport;

        long L(string name) => oltp?[name]?.GetValue<long>() ?? 0;
        long P(string name) => olap?[name]?.GetValue<long>() ?? 0;
        var batchesStored = L("batches_stored");
        var batchesSynced = P("batches_synced");
        // Completed: every batch is in MySQL and in the star schema.
        var state = r.State switch
        {
            IngestionStates.Failed => "failed",
            IngestionStates.Queued => "queued",
            IngestionStates.Reading => "reading",
            _ when oltp is null || olap is null => "processing",
            _ when batchesStored >= r.NextSequence && batchesSynced >= r.NextSequence => "completed",
            _ => "processing",
        };
        var accepted = L("accepted");
        var quarantined = L("quarantined");
        var outOfRange = L("out_of_range");
        return new JsonObject
        {
            ["ingestion_id"] = r.Id,
            ["source"] = r.Source,
            ["state"] = state,
            ["error"] = r.Error,
            ["from"] = r.From?.ToString("yyyy-MM-dd"),
            ["to"] = r.To?.ToString("yyyy-MM-dd"),
            ["rows_read"] = r.RowsRead,
            ["batches"] = r.NextSequence,
            ["batches_stored"] = batchesStored,
            ["accepted"] = accepted,
            ["quarantined"] = quarantined,
            ["out_of_range"] = outOfRange,
            ["duplicates_superseded"] = L("superseded"),
            ["quarantined_by_reason"] = oltp?["quarantined_by_reason"]?.DeepClone() ?? new JsonObject(),
            ["stored_oltp"] = oltp?["stored_oltp"]?.DeepClone(),
            ["batches_synced"] = batchesSynced,
            ["synced_olap"] = olap?["synced_olap"]?.DeepClone(),
            ["attribute_changes"] = oltp?["attribute_changes"]?.DeepClone() ?? new JsonArray(),
            ["attribute_changes_total"] = oltp?["attribute_changes_total"]?.DeepClone() ?? 0,
            ["format"] = Format(r),
            // The accounting identity, checked on what the databases hold.
            ["balanced"] = state == "completed" ? accepted + quarantined + outOfRange == r.RowsRead : null,
            ["created_at"] = r.CreatedAt.ToString("O"),
            ["updated_at"] = r.UpdatedAt.ToString("O"),
        };
    }

    /// <summary>What ingest decided about the file's format (null until its header is read).</summary>
    private static JsonObject? Format(IngestionRecord r)
    {
        if (r.Separator is not { Length: 1 } separator || r.ColumnMap is null) return null;
        var f = SourceLayout.Deserialize(separator[0], r.ColumnMap);
        var order = f.DateOrder == DateOrder.DayFirst ? "day-first" : "month-first";
        return new JsonObject
        {
            ["separator"] = separator == "\t" ? "tab" : separator,
            ["date_order"] = f.DateOrderAssumed ? $"{order} (assumed: no row decides it; Cleaning:DateOrder)" : order,
            ["date_order_assumed"] = f.DateOrderAssumed,
            ["decimal_mark"] = f.DecimalMark.ToString(),
            ["line_ending"] = f.LineEnding,
            ["shape"] = f.Shape == SourceShape.Processed ? "processed" : "raw",
        };
    }

    /// <summary>A later stage's report on the ingestion; null while the stage does not answer.</summary>
    private Task<JsonObject?> StageAsync(string service, Guid id, int? expectedBatches, CancellationToken ct) =>
        StageClient.GetAsync(http.CreateClient(service),
            expectedBatches is int n ? $"/ingestions/{id}?expected_batches={n}" : $"/ingestions/{id}", logger, ct);
}
