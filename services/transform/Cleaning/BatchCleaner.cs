using System.Diagnostics;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging.Telemetry;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>Cleans a whole raw batch: parse, range filter, per-row rules, and duplicates (the later line wins).</summary>
public sealed class BatchCleaner(SalesRowCleaner rows)
{
    /// <remarks>Counts the batch's rows and time on the transform stage's metrics (<see cref="PipelineMetrics"/>).</remarks>
    public CleanedBatch Clean(RawSalesBatch batch)
    {
        var started = Stopwatch.GetTimestamp();
        var records = batch.LineNumbers.Length;
        var texts = new TextPool();
        // Accepted rows in line order; a row superseded by a later duplicate leaves a null behind.
        var accepted = new List<SalesRow?>(records);
        var slotById = new Dictionary<string, int>(records);
        var quarantined = new List<QuarantinedRow>();
        int outOfRange = 0, superseded = 0;
        // Each row is cleaned before the next is read, so the parser can reuse one fields array.
        foreach (var raw in RawBatchParser.Read(batch, reuseFields: true))
        {
            var result = rows.Clean(raw, batch.Format, texts);
            if (result.Row is not { } row)
            {
                quarantined.Add(new QuarantinedRow(raw.Line, raw.Raw, result.Reasons!));
                continue;
            }
            if ((batch.From is { } from && row.TransactionDate < from) || (batch.To is { } to && row.TransactionDate > to))
            {
                outOfRange++;
                continue;
            }
            if (slotById.TryGetValue(row.TransactionId, out var earlier))
            {
                accepted[earlier] = null;
                superseded++;
            }
            slotById[row.TransactionId] = accepted.Count;
            accepted.Add(row);
        }
        var sales = new List<SalesRow>(accepted.Count - superseded);
        foreach (var row in accepted)
            if (row is not null) sales.Add(row);
        PipelineMetrics.BatchDone("transform", records, sales.Count, quarantined.Count, started);
        return new CleanedBatch(batch, records, sales, quarantined, outOfRange, superseded);
    }
}
