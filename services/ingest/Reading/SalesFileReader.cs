using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using CoffeeMesh.Contracts;
using CsvHelper;

namespace CoffeeMesh.Ingest.Reading;

/// <summary>Where reading stands: the byte offset of the next record and its line number (1 = the header).</summary>
public readonly record struct ReadPosition(long Offset, long Line);

/// <summary>
/// A batch of records as text (each ending in '\n') with their line numbers and read issues, and
/// the position just after it (the watermark to save once it is sent).
/// </summary>
public sealed record ReadChunk(SourceFormat Layout, string Text, long[] LineNumbers, IReadOnlyList<LineIssue> Issues, ReadPosition Next)
{
    public int Count => LineNumbers.Length;

    /// <summary>The message that carries this chunk to transform.</summary>
    public RawSalesBatch ToBatch(Guid ingestionId, long ingestionNumber, int sequence, DateOnly? from = null, DateOnly? to = null) => new()
    {
        IngestionId = ingestionId,
        IngestionNumber = ingestionNumber,
        Sequence = sequence,
        FirstLine = Count > 0 ? LineNumbers[0] : 0,
        LastLine = Count > 0 ? LineNumbers[^1] : 0,
        From = from,
        To = to,
        Format = Layout,
        Text = Text,
        LineNumbers = LineNumbers,
        Issues = Issues,
    };
}

/// <summary>
/// Streams a region [start, end) of a raw sales file into batches of record text, never holding
/// more than one batch. At offset 0 it reads the header (separator detected, columns mapped by
/// name); elsewhere it continues with the layout saved from the header. Fields are split by
/// transform; lines that are not valid UTF-8 or too long are flagged (and quarantined there); only
/// a source that cannot be read at all throws SourceFormatException.
/// </summary>
public sealed class SalesFileReader(int maxLineBytes, int maxRecordBytes)
{
    public async IAsyncEnumerable<ReadChunk> ReadAsync(
        string path, ReadPosition start, long end, SourceFormat? layout, int batchSize, [EnumeratorCancellation] CancellationToken ct)
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
        var block = new Block(batchSize);
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
            if (block.Count == batchSize)
                yield return block.TakeChunk(layout, new ReadPosition(start.Offset + reader.ByteOffset, line));
            Append(block, reader.RawRecord, line);
        }
        // The region ends right after a line feed (or at the end of the file): the next line is
        // the start line plus the line feeds read.
        var endLine = (start.Offset == 0 ? 1 : start.Line) + input.LineFeeds;
        if (block.Count > 0 || start.Offset < end)
            yield return block.TakeChunk(layout, new ReadPosition(end, endLine));
    }

    /// <summary>Adds a record as text. Lines that cannot travel faithfully are flagged for quarantine.</summary>
    private void Append(Block block, ReadOnlySpan<byte> raw, long line)
    {
        if (raw.Length > maxLineBytes)
            block.Add(Repaired(raw[..1024], "…"), line, new RejectionReason("line_too_long", $"line is {raw.Length} bytes; the limit is {maxLineBytes}"));
        else if (!Utf8.IsValid(raw))
            block.Add(Repaired(raw), line, new RejectionReason("invalid_utf8", "line is not valid UTF-8 text"));
        else
            block.Add(raw, line, null);
    }

    /// <summary>
    /// The records of the batch being read, as UTF-8, decoded into one string per batch: a string
    /// per record and a StringBuilder cost ingest two thirds of what it allocated. Reused from batch to batch.
    /// </summary>
    private sealed class Block(int capacity)
    {
        private readonly ArrayBufferWriter<byte> _text = new(capacity * 110);
        private readonly List<long> _lines = new(capacity);
        private List<LineIssue>? _issues;
        public int Count => _lines.Count;

        public void Add(ReadOnlySpan<byte> utf8, long line, RejectionReason? issue)
        {
            if (issue is not null) (_issues ??= []).Add(new LineIssue(_lines.Count, issue));
            // A record never contains a line break (AllowLineBreaksInQuotes is off), so '\n' separates them.
            _text.Write(utf8);
            _text.Write("\n"u8);
            _lines.Add(line);
        }

        /// <summary>The batch so far as a chunk; the block is empty afterwards.</summary>
        public ReadChunk TakeChunk(SourceFormat layout, ReadPosition next)
        {
            var chunk = new ReadChunk(layout, Encoding.UTF8.GetString(_text.WrittenSpan), _lines.ToArray(), (IReadOnlyList<LineIssue>?)_issues ?? [], next);
            _text.ResetWrittenCount();
            _lines.Clear();
            _issues = null;
            return chunk;
        }
    }

    /// <summary>The bytes as valid UTF-8: an invalid sequence (or a character cut at a limit) becomes U+FFFD.</summary>
    private static byte[] Repaired(ReadOnlySpan<byte> bytes, string suffix = "") => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes) + suffix);

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
