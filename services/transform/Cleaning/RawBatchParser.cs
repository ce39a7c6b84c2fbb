using CoffeeMesh.Contracts;
using CsvHelper;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>Splits a raw batch's text into records and fields, with the layout ingest read from the header.</summary>
public static class RawBatchParser
{
    public static List<RawSalesRow> Parse(RawSalesBatch batch)
    {
        var rows = new List<RawSalesRow>(batch.LineNumbers.Length);
        var issues = batch.Issues.Count == 0 ? null : batch.Issues.ToDictionary(i => i.Index, i => i.Reason);
        var text = batch.Text;
        var start = 0;
        var format = batch.Format;
        var options = CsvReaderOptions.Default with
        {
            HasHeader = false, Separator = format.Separator, DetectSeparatorHint = false, AllowLineBreaksInQuotes = false, SkipEmptyLines = false,
        };
        using var reader = CsvReader.FromText(batch.Text, options);
        for (var i = 0; i < batch.LineNumbers.Length; i++)
        {
            // Every line is one record (line breaks never continue a quoted field here).
            if (!reader.Read()) throw new InvalidOperationException($"batch {batch.IngestionId}/{batch.Sequence} has fewer records than line numbers");
            var line = batch.LineNumbers[i];
            // The record's own text (without its '\n'), kept as a slice: only quarantined rows copy it.
            var end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            var raw = text.AsMemory(start, end - start);
            start = end + 1;
            if (issues is not null && issues.TryGetValue(i, out var issue))
            {
                rows.Add(new RawSalesRow(line, raw, [], issue));
                continue;
            }
            if (reader.FieldCount != format.FieldCount)
            {
                rows.Add(new RawSalesRow(line, raw, [], new RejectionReason("field_count", $"expected {format.FieldCount} fields, found {reader.FieldCount}")));
                continue;
            }
            var fields = new string?[format.ColumnMap.Length];
            for (var c = 0; c < fields.Length; c++) fields[c] = reader.GetString(format.ColumnMap[c]);
            rows.Add(new RawSalesRow(line, raw, fields));
        }
        return rows;
    }
}
