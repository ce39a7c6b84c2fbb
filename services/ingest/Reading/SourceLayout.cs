using System.Globalization;
using System.Text;
using CoffeeMesh.Contracts;
using CsvHelper;

namespace CoffeeMesh.Ingest.Reading;

/// <summary>
/// How a source file is laid out (a <see cref="SourceFormat"/>, as raw batches carry it): read from
/// its header, and saved with the watermark so reading can resume mid-file, where there is no header.
/// </summary>
public static class SourceLayout
{
    /// <summary>
    /// Maps header names to the canonical columns, in any order. Names match without regard to case,
    /// spaces, underscores and hyphens ("Transaction ID" is transaction_id); a byte order mark is ignored.
    /// </summary>
    /// <exception cref="SourceFormatException">A canonical column is missing (the message names them).</exception>
    public static SourceFormat FromHeader(char separator, IReadOnlyList<string> headers)
    {
        var names = headers.Select(Normalize).ToList();
        var map = new int[SalesColumns.All.Count];
        var missing = new List<string>();
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = names.IndexOf(Normalize(SalesColumns.All[i]));
            if (map[i] < 0) missing.Add(SalesColumns.All[i]);
        }
        if (missing.Count > 0)
            throw new SourceFormatException($"missing required column{(missing.Count > 1 ? "s" : "")}: {string.Join(", ", missing)} " +
                                            $"(header read: {Clip(string.Join(separator, headers))})");
        return new SourceFormat(separator, map, headers.Count);
    }

    /// <summary>A header name as it is matched: lower case, without spaces, underscores, hyphens and a byte order mark.</summary>
    public static string Normalize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
            if (!char.IsWhiteSpace(c) && c is not ('_' or '-' or '\uFEFF' or '"')) sb.Append(char.ToLowerInvariant(c));
        return sb.ToString();
    }

    private static readonly char[] Separators = [';', ',', '\t', '|'];

    /// <summary>
    /// A line inside the file that is a header again (two exports concatenated): its layout, with
    /// the file's other conventions kept, or null when the line is not a header. It may use another
    /// separator and another column order. Only lines without a digit can be headers: data rows
    /// always hold ids and dates, so this costs a vectorised scan per row.
    /// </summary>
    public static SourceFormat? RepeatedHeader(ReadOnlySpan<byte> raw, SourceFormat current)
    {
        if (raw.IndexOfAnyInRange((byte)'0', (byte)'9') >= 0 || raw.Length < 16) return null;
        var bytes = raw.ToArray();
        foreach (var separator in Separators.Prepend(current.Separator).Distinct())
        {
            if (raw.IndexOf((byte)separator) < 0) continue;
            using var reader = CsvReader.Create(bytes, CsvReaderOptions.Default with
            {
                HasHeader = false, Separator = separator, DetectSeparatorHint = false, AllowLineBreaksInQuotes = false,
            });
            if (!reader.Read()) continue;
            var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToList();
            try
            {
                return FromHeader(separator, names) with
                {
                    // A comma separator leaves the point as the only decimal mark.
                    DateOrder = current.DateOrder, DateOrderAssumed = current.DateOrderAssumed, DecimalMark = separator == ',' ? '.' : current.DecimalMark,
                    Shape = current.Shape, LineEnding = current.LineEnding,
                };
            }
            catch (SourceFormatException) { }
        }
        return null;
    }

    /// <summary>Excel's separator hint line, "sep=;", as it may also appear inside concatenated files.</summary>
    public static char? SeparatorHint(ReadOnlySpan<byte> raw)
    {
        var text = raw.Trim(" \t\""u8);
        return text.Length == 5 && Ascii.EqualsIgnoreCase(text[..4], "sep="u8) && text[4] is (byte)';' or (byte)',' or (byte)'\t' or (byte)'|'
            ? (char)text[4]
            : null;
    }

    /// <summary>The layout as saved with the watermark: "fields:map:order:assumed:decimal:shape:ending".</summary>
    public static string Serialize(this SourceFormat format) => string.Join(':',
        format.FieldCount.ToString(CultureInfo.InvariantCulture), string.Join(',', format.ColumnMap),
        format.DateOrder == DateOrder.DayFirst ? "D" : "M", format.DateOrderAssumed ? "1" : "0",
        format.DecimalMark == ',' ? "c" : "p", format.Shape == SourceShape.Processed ? "P" : "R", format.LineEnding);

    /// <summary>Reads <see cref="Serialize"/>'s form; a layout saved before the conventions were ("fields:map") reads with the defaults.</summary>
    public static SourceFormat Deserialize(char separator, string text)
    {
        var parts = text.Split(':');
        var format = new SourceFormat(separator, parts[1].Split(',').Select(int.Parse).ToArray(), int.Parse(parts[0], CultureInfo.InvariantCulture));
        if (parts.Length < 7) return format;
        return format with
        {
            DateOrder = parts[2] == "D" ? DateOrder.DayFirst : DateOrder.MonthFirst,
            DateOrderAssumed = parts[3] == "1",
            DecimalMark = parts[4] == "c" ? ',' : '.',
            Shape = parts[5] == "P" ? SourceShape.Processed : SourceShape.Raw,
            LineEnding = parts[6],
        };
    }

    private static string Clip(string s) => s.Length <= 200 ? s : s[..200] + "…";
}

/// <summary>The source as a whole cannot be ingested (empty, binary, wrong header...).</summary>
public sealed class SourceFormatException(string message) : Exception(message);
