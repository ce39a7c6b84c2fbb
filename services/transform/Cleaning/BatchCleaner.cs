using CoffeeMesh.Contracts;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>Cleans a whole raw batch: parse, range filter, per-row rules, and duplicates (the later line wins).</summary>
public sealed class BatchCleaner(SalesRowCleaner rows)
{
    public CleanedBatch Clean(RawSalesBatch batch)
    {
        var parsed = RawBatchParser.Parse(batch);
        var accepted = new Dictionary<string, SalesRow>(parsed.Count);
        var quarantined = new List<QuarantinedRow>();
        int outOfRange = 0, superseded = 0;
        foreach (var raw in parsed)
        {
            var result = rows.Clean(raw);
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
            // Rows arrive in line order, so a later duplicate replaces the earlier one.
            if (accepted.Remove(row.TransactionId)) superseded++;
            accepted[row.TransactionId] = row;
        }
        return new CleanedBatch(batch, parsed.Count, accepted.Values.OrderBy(r => r.SourceLine).ToList(), quarantined, outOfRange, superseded);
    }
}
