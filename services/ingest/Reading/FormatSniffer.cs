using System.Text;
using CoffeeMesh.Contracts;
using CsvHelper;

namespace CoffeeMesh.Ingest.Reading;

/// <summary>
/// Decides, from a file's own rows, the conventions its values follow: the order of day and month,
/// the decimal mark, whether it is a raw export or already processed, and its line ending. Reads the
/// first <see cref="SampleRows"/> rows; when those hold day/month dates whose order they do not
/// settle, it reads on (dates only) until one order leads by <see cref="DecisiveLead"/> rows or the
/// region ends. Majority, not the first decisive row: one mistyped date early in a file must not
/// decide the reading of all the others.
/// </summary>
public static class FormatSniffer
{
    public const int SampleRows = 1000;
    public const int DecisiveLead = 1000;

    /// <param name="path">The file; the header is read again here.</param>
    /// <param name="end">Where the region being ingested ends (bytes).</param>
    /// <param name="layout">The layout read from the header (separator and column map).</param>
    /// <param name="defaultOrder">The order used when the rows cannot tell (Cleaning:DateOrder).</param>
    public static async Task<SourceFormat> DecideAsync(string path, long end, SourceFormat layout, DateOrder defaultOrder, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var lineEnding = await LineEndingAsync(file, end, ct);
        file.Seek(0, SeekOrigin.Begin);
        await using var input = new BoundedCountingStream(file, end);
        await using var reader = CsvReader.Create(input, CsvReaderOptions.Default with
        {
            HasHeader = true, Separator = layout.Separator, DetectSeparatorHint = true, AllowLineBreaksInQuotes = false,
            MaxRecordSize = 1 << 20,
        });
        int dayFirst = 0, monthFirst = 0, ambiguous = 0, processed = 0, raw = 0, decimalComma = 0, decimalPoint = 0;
        var rows = 0;
        var chars = new char[64];
        try
        {
            while (await reader.ReadAsync(ct))
            {
                if (reader.FieldCount < layout.FieldCount - 1) continue;
                rows++;
                switch (SourceDates.VoteOf(Ascii(reader, layout.ColumnMap[1], chars)))
                {
                    case SourceDates.Vote.DayFirst: dayFirst++; break;
                    case SourceDates.Vote.MonthFirst: monthFirst++; break;
                    case SourceDates.Vote.Ambiguous: ambiguous++; break;
                }
                if (rows <= SampleRows)
                {
                    var id = Ascii(reader, layout.ColumnMap[0], chars);
                    if (IsProcessedId(id)) processed++;
                    else if (!id.IsEmpty) raw++;
                    var price = Ascii(reader, layout.ColumnMap[7], chars);
                    if (price.Contains(',')) decimalComma++;
                    else if (price.Contains('.')) decimalPoint++;
                }
                else if (ambiguous == 0 || Math.Abs(dayFirst - monthFirst) >= DecisiveLead) break;
            }
        }
        catch (CsvFormatException) { } // the main reader reports what is wrong with the file; the sample stops here

        var decided = dayFirst != monthFirst;
        return layout with
        {
            DateOrder = decided ? (dayFirst > monthFirst ? DateOrder.DayFirst : DateOrder.MonthFirst) : defaultOrder,
            DateOrderAssumed = !decided && ambiguous > 0,
            DecimalMark = layout.Separator != ',' && decimalComma > decimalPoint ? ',' : '.',
            Shape = processed > raw ? SourceShape.Processed : SourceShape.Raw,
            LineEnding = lineEnding,
        };
    }

    /// <summary>"7901_20260208": an id the old pipeline (or ours) already made unique per day.</summary>
    public static bool IsProcessedId(ReadOnlySpan<char> id)
    {
        var underscore = id.IndexOf('_');
        return underscore > 0 && id.Length - underscore == 9 && !id[..underscore].ContainsAnyExceptInRange('0', '9')
               && !id[(underscore + 1)..].ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>A short field as characters (values longer than the buffer are cut: only short ones are looked at).</summary>
    private static ReadOnlySpan<char> Ascii(CsvReader reader, int column, Span<char> buffer)
    {
        if (column >= reader.FieldCount) return [];
        var bytes = reader.GetSpan(column).Trim(" \t"u8);
        if (bytes.Length > buffer.Length) bytes = bytes[..buffer.Length];
        var n = Encoding.UTF8.GetChars(bytes, buffer);
        return buffer[..n];
    }

    /// <summary>The line break after the first line: "CRLF", "CR" or "LF" (also for a file of one line without one).</summary>
    private static async Task<string> LineEndingAsync(FileStream file, long end, CancellationToken ct)
    {
        var head = new byte[(int)Math.Min(end, 1 << 16)];
        var n = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var at = head.AsSpan(0, n).IndexOfAny((byte)'\r', (byte)'\n');
        if (at < 0 || head[at] == '\n') return "LF";
        return at + 1 < n && head[at + 1] == '\n' ? "CRLF" : "CR";
    }
}
