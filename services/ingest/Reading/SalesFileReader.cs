using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using CoffeeMesh.Contracts;
using CsvHelper;

namespace CoffeeMesh.Ingest.Reading;

/// <summary>Where reading stands: the byte offset of the next record and its line number (1 = the header).</summary>
public readonly record struct ReadPosition(long Offset, long Line);

/// <summary>A batch of records and the position just after it (the watermark to save once it is sent).</summary>
public sealed record ReadChunk(SourceLayout Layout, IReadOnlyList<RawSalesRow> Rows, ReadPosition Next);

/// <summary>
/// Streams a region [start, end) of a raw sales file into batches, never holding more than one
/// batch. At offset 0 it reads the header (separator detected, columns mapped by name); elsewhere
/// it continues with the layout saved from the header. Broken lines become rows with a read error
/// (quarantined downstream); only a source that cannot be read at all throws SourceFormatException.
/// </summary>
public sealed class SalesFileReader(int maxLineBytes, int maxRecordBytes)
{
    public async IAsyncEnumerable<ReadChunk> ReadAsync(
        string path, ReadPosition start, long end, SourceLayout? layout, int batchSize, [EnumeratorCancellation] CancellationToken ct)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (start.Offset == 0) await RejectBinaryAsync(file, ct);
        file.Seek(start.Offset, SeekOrigin.Begin);
        await using var input = new BoundedCountingStream(file, end - start.Offset);

        var options = CsvReaderOptions.Default with
        {
            HasHeader = layout is null,
            Separator = layout?.Separator,
            DetectSeparatorHint = false,
            TrackLineNumbers = true,
            // One stray quote must not swallow the rest of the file: a line break always ends a record.
            AllowLineBreaksInQuotes = false,
            MaxRecordSize = maxRecordBytes,
        };
        await using var reader = CsvReader.Create(input, options);
        if (layout is null)
        {
            try { await reader.ReadHeaderAsync(ct); }
            catch (CsvFormatException e) { throw new SourceFormatException($"the header cannot be read: {e.Message}"); }
            if (reader.Headers.Count == 0 || reader.Headers.All(string.IsNullOrWhiteSpace))
                throw new SourceFormatException("the source is empty: no header line");
            if (reader.Headers.Any(h => h.Contains('\uFFFD')))
                throw new SourceFormatException("the header is not valid UTF-8 text");
            layout = SourceLayout.FromHeader(reader.Separator, reader.Headers);
        }

        // Line numbers: at offset 0 the reader's own count is absolute; mid-file it restarts at 1.
        var lineBase = start.Offset == 0 ? 0 : start.Line - 1;
        var rows = new List<RawSalesRow>(batchSize);
        while (true)
        {
            bool more;
            try { more = await reader.ReadAsync(ct); }
            catch (CsvFormatException e)
            {
                throw new SourceFormatException($"line {lineBase + e.LineNumber}: {e.Message}");
            }
            if (!more) break;
            var line = lineBase + reader.LineNumber;
            if (rows.Count == batchSize)
            {
                yield return new ReadChunk(layout, rows, new ReadPosition(start.Offset + reader.ByteOffset, line));
                rows = new List<RawSalesRow>(batchSize);
            }
            rows.Add(ToRow(reader, layout, line));
        }
        // The region ends right after a line feed (or at the end of the file): the next line is
        // the start line plus the line feeds read.
        var endLine = (start.Offset == 0 ? 1 : start.Line) + input.LineFeeds;
        if (rows.Count > 0 || start.Offset < end)
            yield return new ReadChunk(layout, rows, new ReadPosition(end, endLine));
    }

    private RawSalesRow ToRow(CsvReader reader, SourceLayout layout, long line)
    {
        var raw = reader.RawRecord;
        if (raw.Length > maxLineBytes)
            return new RawSalesRow(line, Decode(raw[..1024]) + "…", [],
                new RejectionReason("line_too_long", $"line is {raw.Length} bytes; the limit is {maxLineBytes}"));
        var text = Decode(raw);
        if (!Utf8.IsValid(raw))
            return new RawSalesRow(line, text, [], new RejectionReason("invalid_utf8", "line is not valid UTF-8 text"));
        if (reader.FieldCount != layout.FieldCount)
            return new RawSalesRow(line, text, [],
                new RejectionReason("field_count", $"expected {layout.FieldCount} fields, found {reader.FieldCount}"));
        var fields = new string?[layout.ColumnMap.Length];
        for (var i = 0; i < fields.Length; i++)
            fields[i] = reader.GetString(layout.ColumnMap[i]);
        return new RawSalesRow(line, text, fields);
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>NUL bytes in the first block mean this is not a text file at all.</summary>
    private static async Task RejectBinaryAsync(FileStream file, CancellationToken ct)
    {
        var head = new byte[8192];
        var n = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        if (n == 0) throw new SourceFormatException("the source is empty (0 bytes)");
        if (head.AsSpan(0, n).Contains((byte)0))
            throw new SourceFormatException("the source is binary data (NUL bytes), not a CSV text file");
    }
}
