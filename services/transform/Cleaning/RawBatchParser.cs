using CoffeeMesh.Contracts;
using CsvHelper;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>Splits a raw batch's text into records and fields, with the layout ingest read from the header.</summary>
public static class RawBatchParser
{
    public static List<RawSalesRow> Parse(RawSalesBatch batch) => [.. Read(batch, reuseFields: false)];

    /// <summary>The batch's records one at a time, in line order.</summary>
    /// <param name="reuseFields">
    /// When true every row's <see cref="RawSalesRow.Fields"/> is one array, overwritten by the next
    /// row: for a caller done with a row before it asks for the next (the cleaner), it saves an
    /// array a row, a large share of what cleaning a batch allocated.
    /// </param>
    public static IEnumerable<RawSalesRow> Read(RawSalesBatch batch, bool reuseFields)
    {
        var issues = batch.Issues.Count == 0 ? null : batch.Issues.ToDictionary(i => i.Index, i => i.Reason);
        var multiLine = batch.MultiLineRecords.Count == 0 ? null : batch.MultiLineRecords.ToDictionary(m => m.Index, m => m.Lines);
        var text = batch.Text.AsMemory();
        var format = batch.Format;
        var split = new Range[format.FieldCount + 1];
        var shared = new ReadOnlyMemory<char>[format.ColumnMap.Length];
        CsvReaderOptions? quoted = null; // made once per batch, and only for a batch with quotes
        var start = 0;
        for (var i = 0; i < batch.LineNumbers.Length; i++)
        {
            // A record is one '\n'-ended piece of the text, or as many as ingest listed it with.
            var pieces = multiLine is not null && multiLine.TryGetValue(i, out var n) ? n : 1;
            if (start >= text.Length) throw new InvalidOperationException($"batch {batch.IngestionId}/{batch.Sequence} has fewer records than line numbers");
            var end = start - 1; // the '\n' that ends the record (or the text's end)
            for (var p = 0; p < pieces && end < text.Length; p++)
            {
                var lf = text.Span[(end + 1)..].IndexOf('\n');
                end = lf < 0 ? text.Length : end + 1 + lf;
            }
            var raw = text[start..end];
            start = end + 1;
            var line = batch.LineNumbers[i];
            if (issues is not null && issues.TryGetValue(i, out var issue))
            {
                yield return new RawSalesRow(line, raw, [], issue);
                continue;
            }
            var fields = reuseFields ? shared : new ReadOnlyMemory<char>[format.ColumnMap.Length];
            // Most lines have no quotes: their fields are the text between separators, taken as
            // slices. A line with a quote goes through CsvHelper, which knows RFC 4180's rules.
            var count = raw.Span.Contains('"')
                ? ReadQuoted(raw, quoted ??= QuotedRecord with { Separator = format.Separator }, format, fields)
                : Split(raw, format, fields, split);
            if (count < 0)
            {
                yield return new RawSalesRow(line, raw, [], new RejectionReason("field_count", $"expected {format.FieldCount} fields, found {-count}"));
                continue;
            }
            yield return new RawSalesRow(line, raw, fields);
        }
        // Text left over means records and line numbers went out of step: never read on silently.
        if (start < text.Length) throw new InvalidOperationException($"batch {batch.IngestionId}/{batch.Sequence} has more records than line numbers");
    }

    /// <returns>The number of fields in the record, negated when it does not fit the layout; <paramref name="fields"/> is filled only when it fits.</returns>
    private static int Split(ReadOnlyMemory<char> raw, SourceFormat format, ReadOnlyMemory<char>[] fields, Span<Range> split)
    {
        var count = raw.Span.Count(format.Separator) + 1;
        if (count != format.FieldCount)
        {
            var last = raw.Span.LastIndexOf(format.Separator);
            if (!format.Fits(count, (last < 0 ? raw.Span : raw.Span[(last + 1)..]).IsWhiteSpace())) return -count;
        }
        raw.Span.Split(split, format.Separator);
        for (var c = 0; c < fields.Length; c++) fields[c] = raw[split[format.ColumnMap[c]]];
        return count;
    }

    private static readonly CsvReaderOptions QuotedRecord = CsvReaderOptions.Default with
    {
        HasHeader = false, DetectSeparatorHint = false, AllowLineBreaksInQuotes = true, SkipEmptyLines = false,
    };

    private static int ReadQuoted(ReadOnlyMemory<char> raw, CsvReaderOptions options, SourceFormat format, ReadOnlyMemory<char>[] fields)
    {
        using var reader = CsvReader.FromText(raw.ToString(), options);
        if (!reader.Read()) return 0;
        var count = reader.FieldCount;
        if (count != format.FieldCount && !format.Fits(count, string.IsNullOrWhiteSpace(reader.GetString(count - 1)))) return -count;
        for (var c = 0; c < fields.Length; c++) fields[c] = reader.GetString(format.ColumnMap[c]).AsMemory();
        return count;
    }
}
