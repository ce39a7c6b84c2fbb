using System.Text;
using CoffeeMesh.Contracts;
using CsvHelper;

namespace CoffeeMesh.Ingest.Reading;

/// <summary>
/// Decides, from a file's own rows, the conventions its values follow: the order of day and month,
/// the decimal mark, whether it is a raw export or already processed, and its line ending. Reads the
/// first <see cref="SampleRows"/> rows, and reads on (looking at nothing else) while the rows hold
/// day/month dates whose order one side does not lead by <see cref="DecisiveLead"/> rows, or while
/// no number has shown its decimal mark yet. Majority, not the first decisive row: one mistyped date
/// early in a file must not decide the reading of all the others. Rows after a repeated header are
/// read with that header's layout, as the reader will read them.
/// </summary>
public static class FormatSniffer
{
    public const int SampleRows = 1000;
    public const int DecisiveLead = 1000;

    /// <summary>What the rows said so far.</summary>
    private sealed class Votes
    {
        public int DayFirst, MonthFirst, Ambiguous, Processed, Raw, DecimalComma, DecimalPoint, Rows;
        public bool DatesUndecided => Ambiguous > 0 && Math.Abs(DayFirst - MonthFirst) < DecisiveLead;
        public bool DecimalMarkUnseen => DecimalComma + DecimalPoint == 0;
    }

    /// <param name="path">The file; the header is read again here.</param>
    /// <param name="end">Where the region being ingested ends (bytes).</param>
    /// <param name="layout">The layout read from the header (separator and column map).</param>
    /// <param name="defaultOrder">The order used when the rows cannot tell (Cleaning:DateOrder).</param>
    public static async Task<SourceFormat> DecideAsync(string path, long end, SourceFormat layout, DateOrder defaultOrder, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var lineEnding = await LineEndingAsync(file, end, ct);
        var votes = new Votes();
        var chars = new char[64];
        var segment = 0L;
        var current = layout;
        try
        {
            while (true)
            {
                file.Seek(segment, SeekOrigin.Begin);
                await using var input = new BoundedCountingStream(file, end - segment, leaveOpen: true);
                await using var reader = CsvReader.Create(input, CsvReaderOptions.Default with
                {
                    HasHeader = segment == 0, Separator = current.Separator, DetectSeparatorHint = segment == 0, AllowLineBreaksInQuotes = false,
                    MaxRecordSize = 1 << 20,
                });
                SourceFormat? next = null;
                while (next is null && await reader.ReadAsync(ct))
                {
                    if ((next = RepeatedHeader(reader.RawRecord, current)) is not null)
                    {
                        segment += reader.ByteOffset + reader.RawRecord.Length;
                        segment += LineBreakAt(file, segment, end);
                        break;
                    }
                    if (reader.FieldCount < current.FieldCount - 1) continue;
                    Count(reader, current, votes, chars);
                    if (votes.Rows >= SampleRows && !votes.DatesUndecided && (!votes.DecimalMarkUnseen || current.Separator == ',')) return Decided(layout, votes, defaultOrder, lineEnding);
                }
                if (next is null) break;
                current = next;
            }
        }
        catch (CsvFormatException) { } // the main reader reports what is wrong with the file; the sample stops here
        return Decided(layout, votes, defaultOrder, lineEnding);
    }

    private static SourceFormat Decided(SourceFormat layout, Votes v, DateOrder defaultOrder, string lineEnding)
    {
        var decided = v.DayFirst != v.MonthFirst;
        return layout with
        {
            DateOrder = decided ? (v.DayFirst > v.MonthFirst ? DateOrder.DayFirst : DateOrder.MonthFirst) : defaultOrder,
            DateOrderAssumed = !decided && v.Ambiguous > 0,
            DecimalMark = layout.Separator != ',' && v.DecimalComma > v.DecimalPoint ? ',' : '.',
            Shape = v.Processed > v.Raw ? SourceShape.Processed : SourceShape.Raw,
            LineEnding = lineEnding,
        };
    }

    private static void Count(CsvReader reader, SourceFormat layout, Votes v, char[] chars)
    {
        v.Rows++;
        switch (SourceDates.VoteOf(Ascii(reader, layout.ColumnMap[1], chars)))
        {
            case SourceDates.Vote.DayFirst: v.DayFirst++; break;
            case SourceDates.Vote.MonthFirst: v.MonthFirst++; break;
            case SourceDates.Vote.Ambiguous: v.Ambiguous++; break;
        }
        if (v.Rows <= SampleRows)
        {
            var id = Ascii(reader, layout.ColumnMap[0], chars);
            if (IsProcessedId(id)) v.Processed++;
            else if (!id.IsEmpty) v.Raw++;
        }
        // Quantities and prices: the raw export writes every number with a decimal part ("1.0").
        foreach (var column in (ReadOnlySpan<int>)[layout.ColumnMap[3], layout.ColumnMap[7]])
        {
            var number = Ascii(reader, column, chars);
            if (number.Contains(',') && layout.Separator != ',') v.DecimalComma++;
            else if (number.Contains('.')) v.DecimalPoint++;
        }
    }

    /// <summary>A header (or Excel's sep= line) inside the file: the layout of the rows after it.</summary>
    private static SourceFormat? RepeatedHeader(ReadOnlySpan<byte> raw, SourceFormat current) =>
        SourceLayout.SeparatorHint(raw) is { } separator
            ? current with { Separator = separator }
            : SourceLayout.RepeatedHeader(raw, current);

    private static int LineBreakAt(FileStream file, long at, long end)
    {
        Span<byte> next = stackalloc byte[2];
        var n = at >= end ? 0 : RandomAccess.Read(file.SafeFileHandle, next[..(int)Math.Min(2, end - at)], at);
        return n == 0 ? 0 : next[0] == '\r' && n == 2 && next[1] == '\n' ? 2 : next[0] is (byte)'\r' or (byte)'\n' ? 1 : 0;
    }

    /// <summary>"7901_20260208": an id the old pipeline (or ours) already made unique per day.</summary>
    public static bool IsProcessedId(ReadOnlySpan<char> id)
    {
        var underscore = id.IndexOf('_');
        return underscore > 0 && id.Length - underscore == 9 && !id[..underscore].ContainsAnyExceptInRange('0', '9')
               && !id[(underscore + 1)..].ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>A short field as characters (values longer than the buffer are cut: only short ones are looked at).</summary>
    private static ReadOnlySpan<char> Ascii(CsvReader reader, int column, char[] buffer)
    {
        if (column >= reader.FieldCount) return [];
        var bytes = reader.GetSpan(column).Trim(" \t"u8);
        if (bytes.Length > buffer.Length) bytes = bytes[..buffer.Length];
        var n = Encoding.UTF8.GetChars(bytes, buffer);
        return buffer.AsSpan(0, n);
    }

    /// <summary>The line break after the first line: "CRLF", "CR" or "LF" (also for a file of one line without one).</summary>
    internal static async Task<string> LineEndingAsync(FileStream file, long end, CancellationToken ct)
    {
        file.Seek(0, SeekOrigin.Begin);
        var head = new byte[(int)Math.Min(end, 1 << 16)];
        var n = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var at = head.AsSpan(0, n).IndexOfAny((byte)'\r', (byte)'\n');
        if (at < 0 || head[at] == '\n') return "LF";
        return at + 1 < n && head[at + 1] == '\n' ? "CRLF" : "CR";
    }
}
