using System.Text.Json.Nodes;
using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest.Failures;
using CoffeeMesh.Ingest.Ingestions;
using CoffeeMesh.Ingest.Reading;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Api;

/// <summary>
/// One ingestion across the stages: ingest's own watermark, and each later stage's counts as that
/// stage reports them from its database. state: queued | reading | processing | completed | failed
/// (the source could not be read, or a stage gave up on one of its messages) | stalled (no progress
/// for Ingest:StallAfterSeconds; <c>stalled.waiting_for</c> says on what).
/// </summary>
public sealed class IngestionStatusView(IngestionStore ingestions, StageFailures failures, IHttpClientFactory http, IOptions<IngestOptions> options,
    ILogger<IngestionStatusView> logger)
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
        // A stage that gave up on one of its messages fails the ingestion, naming it.
        var open = await failures.OpenAsync(id, 20, ct);
        var error = r.Error;
        if (open.Count > 0)
        {
            state = "failed";
            error ??= Describe(open[0], id) + (open.Count > 1 ? $" ({open.Count - 1} more: ./coffeemesh errors)" : "");
        }
        // No state stays silent: without progress for Ingest:StallAfterSeconds it is reported stalled, with what it waits for.
        JsonObject? stalled = null;
        if (state is "queued" or "reading" or "processing")
        {
            var last = new[] { DateTime.SpecifyKind(r.UpdatedAt, DateTimeKind.Utc), Time(oltp?["last_stored_at"]), Time(olap?["last_synced_at"]) }.Max();
            var quiet = DateTime.UtcNow - last;
            if (quiet.TotalSeconds > options.Value.StallAfterSeconds)
            {
                stalled = new JsonObject { ["since"] = last.ToString("O"), ["seconds"] = (long)quiet.TotalSeconds, ["waiting_for"] = WaitingFor(state, r, oltp, olap) };
                state = "stalled";
            }
        }
        var accepted = L("accepted");
        var quarantined = L("quarantined");
        var outOfRange = L("out_of_range");
        return new JsonObject
        {
            ["ingestion_id"] = r.Id,
            ["source"] = r.Source,
            ["state"] = state,
            ["error"] = error,
            ["failures"] = new JsonArray(open.Select(f => (JsonNode)new JsonObject
            {
                ["stage"] = f.Stage, ["batch"] = f.Sequence < 0 ? null : f.Sequence, ["message_type"] = f.MessageType, ["reason"] = f.Reason,
                ["failed_at"] = f.FailedAt.ToString("O"),
            }).ToArray()),
            ["stalled"] = stalled,
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
            ["rejected_olap"] = olap?["rejected_olap"]?.DeepClone() ?? 0,
            ["rejected_olap_reasons"] = olap?["rejected_olap_reasons"]?.DeepClone() ?? new JsonObject(),
            ["attribute_changes"] = oltp?["attribute_changes"]?.DeepClone() ?? new JsonArray(),
            ["attribute_changes_total"] = oltp?["attribute_changes_total"]?.DeepClone() ?? 0,
            ["format"] = Format(r),
            // The accounting identity, checked on what the databases hold.
            ["balanced"] = state == "completed" ? accepted + quarantined + outOfRange == r.RowsRead : null,
            ["created_at"] = r.CreatedAt.ToString("O"),
            ["updated_at"] = r.UpdatedAt.ToString("O"),
        };
    }

    private static string Describe(StageFailures.Failure f, Guid id) =>
        $"{f.Stage} gave up on {(f.Sequence < 0 ? f.MessageType : $"batch {f.Sequence}")}: {f.Reason}. " +
        $"The message waits in its dead-letter queue; after a fix, ./coffeemesh replay --ingestion {id}";

    private static DateTime Time(JsonNode? node) =>
        node is not null && DateTime.TryParse(node.GetValue<string>(), null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
            : DateTime.MinValue;

    /// <summary>Which stage an ingestion that stopped moving waits for.</summary>
    private static string WaitingFor(string state, IngestionRecord r, JsonObject? oltp, JsonObject? olap)
    {
        if (state == "queued") return "ingest has not started reading it: is an ingest replica running and connected to the broker?";
        if (oltp is null) return "oltp-writer does not answer";
        if (olap is null) return "olap-sync does not answer";
        var stored = oltp["batches_stored"]?.GetValue<int>() ?? 0;
        var synced = olap["batches_synced"]?.GetValue<int>() ?? 0;
        if (state == "reading") return $"ingest's reading has not moved ({r.NextSequence} batches read, {stored} stored by oltp-writer)";
        if (stored < r.NextSequence) return $"transform and oltp-writer: {stored} of {r.NextSequence} batches stored";
        return $"olap-sync: {synced} of {r.NextSequence} batches synced";
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
