using CoffeeMesh.Contracts;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>Cleans a whole raw batch: parse, range filter, per-row rules, and duplicates (the later line wins).</summary>
public sealed class BatchCleaner(SalesRowCleaner rows)
{
    public CleanedBatch Clean(RawSalesBatch batch)
    {
        var parsed = RawBatchParser.Parse(batch);
        var texts = new TextPool();
        // Accepted rows in line order; a row superseded by a later duplicate leaves a null behind.
        var accepted = new List<SalesRow?>(parsed.Count);
        var slotById = new Dictionary<string, int>(parsed.Count);
        var quarantined = new List<QuarantinedRow>();
        int outOfRange = 0, superseded = 0;
        foreach (var raw in parsed)
        {
            var result = rows.Clean(raw, texts);
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
        return new CleanedBatch(batch, parsed.Count, sales, quarantined, outOfRange, superseded);
    }
}
