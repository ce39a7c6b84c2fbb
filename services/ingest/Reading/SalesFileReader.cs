using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using CoffeeMesh.Contracts;
using CsvHelper;

namespace CoffeeMesh.Ingest.Reading;

/// <summary>Where reading stands: the byte offset of the next record and its line number (1 = the first line of the file).</summary>
public readonly record struct ReadPosition(long Offset, long Line);

/// <summary>
/// A batch of records as text (each ending in '\n'; a multi-line record's lines joined by '\n')
/// with their first line numbers and read issues, and the position just after it (the watermark to
/// save once it is sent) with the layout reading resumes with there.
/// </summary>
public sealed record ReadChunk(SourceFormat Layout, string Text, long[] LineNumbers, IReadOnlyList<LineIssue> Issues,
    IReadOnlyList<MultiLineRecord> MultiLineRecords, ReadPosition Next, SourceFormat? NextLayout = null)
{
    public int Count => LineNumbers.Length;

    /// <summary>The layout of the records after this chunk: another one after a repeated header.</summary>
    public SourceFormat ResumeLayout => NextLayout ?? Layout;

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
        MultiLineRecords = MultiLineRecords,
    };
}

/// <summary>
/// Streams a region [start, end) of a raw sales file into batches of record text, never holding
/// more than one batch. At offset 0 it reads the header (separator detected, Excel's <c>sep=</c>
/// line honoured, columns mapped by name) and decides the file's conventions from its rows
/// (<see cref="FormatSniffer"/>); elsewhere it continues with the layout saved with the watermark.
/// Line endings may be CRLF, LF or CR. Lines are read one at a time, and only a quote left open
/// joins the next lines to its record (<see cref="RecordAssembler"/>). A header line inside the
/// file is quarantined as <c>repeated_header</c> and the rows after it are read with its columns.
/// Fields are split by transform; lines that are not valid UTF-8 or too long are flagged (and
/// quarantined there); only a source that cannot be read at all throws SourceFormatException.
/// </summary>
/// <param name="maxLineBytes">A longer line is quarantined (line_too_long) with its first KiB.</param>
/// <param name="maxRecordBytes">The most the reader buffers for one line; a longer one fails the source.</param>
/// <param name="maxLinesPerRecord">The most lines a quoted field may join into one record.</param>
/// <param name="defaultDateOrder">The order of day and month when a file's rows cannot tell (Cleaning:DateOrder).</param>
public sealed class SalesFileReader(int maxLineBytes, int maxRecordBytes, int maxLinesPerRecord = 10, DateOrder defaultDateOrder = DateOrder.MonthFirst)
{
    public async IAsyncEnumerable<ReadChunk> ReadAsync(
        string path, ReadPosition start, long end, SourceFormat? layout, int batchSize, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        char? headerSeparator = null;
        var lineEnding = layout?.LineEnding;
        if (start.Offset == 0)
        {
            await RejectBinaryAsync(file, ct);
            headerSeparator = await HeaderSeparatorAsync(file, ct);
            lineEnding = await FormatSniffer.LineEndingAsync(file, end, ct);
        }
        var block = new Block(batchSize);
        var assembled = new List<AssembledRecord>();
        // A segment is read by one CsvReader with one layout; a repeated header ends it and the next one starts after it.
        var segment = start;
        while (true)
        {
            file.Seek(segment.Offset, SeekOrigin.Begin);
            // In a file whose lines end in LF or CR LF, a lone CR may split a record (RecordAssembler).
            await using var input = new BoundedCountingStream(file, end - segment.Offset, leaveOpen: true,
                noteLoneCrsFrom: lineEnding is "LF" or "CRLF" ? segment.Offset : null);
            var opensQuote = false;
            var options = CsvReaderOptions.Default with
            {
                HasHeader = layout is null,
                Separator = layout?.Separator ?? headerSeparator,
                DetectSeparatorHint = layout is null,
                TrackLineNumbers = true,
                // A line break always ends a record here: one stray quote must not swallow the rest of
                // the file. A line that leaves a quote open is reported, and the assembler joins lines.
                AllowLineBreaksInQuotes = false,
                MaxRecordSize = maxRecordBytes,
                OnMalformedRecord = m => opensQuote |= m.Reason == CsvMalformedReason.LineBreakInQuotes,
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
                layout = await FormatSniffer.DecideAsync(path, end, SourceLayout.FromHeader(reader.Separator, reader.Headers), defaultDateOrder, ct);
            }
            var assembler = new RecordAssembler(layout, maxLinesPerRecord, maxRecordBytes);
            // Line numbers: at offset 0 the reader's own count is absolute; mid-file it restarts at 1.
            var lineBase = segment.Offset == 0 ? 0 : segment.Line - 1;
            SourceFormat? nextLayout = null;
            var restart = default(ReadPosition);
            var more = true;
            while (more && nextLayout is null)
            {
                try { more = await reader.ReadAsync(ct); }
                catch (CsvFormatException e) { throw new SourceFormatException($"line {lineBase + e.LineNumber}: {e.Message}"); }
                assembled.Clear();
                if (more)
                {
                    var line = lineBase + reader.LineNumber;
                    var offset = segment.Offset + reader.ByteOffset;
                    var opens = opensQuote;
                    opensQuote = false;
                    var loneCr = input.LoneCrs?.Remove(offset + reader.RawRecord.Length) == true;
                    // Lone CRs that made empty lines are never asked for: forget those behind us.
                    if (input.LoneCrs is { Count: > 4096 } crs) crs.RemoveWhere(at => at < offset);
                    if (!opens && !loneCr && !assembler.Holding)
                    {
                        // The usual line: straight into the batch, without a copy.
                        if (block.Count == batchSize) yield return block.TakeChunk(layout, new ReadPosition(offset, line));
                        var raw = reader.RawRecord;
                        nextLayout = HeaderAgain(raw, layout, line, block);
                        if (nextLayout is null) Append(block, raw, line, 1, null);
                        else restart = After(file, offset + raw.Length, line, end);
                        continue;
                    }
                    assembler.Push(reader.RawRecord, line, offset, opens, loneCr, assembled);
                }
                else assembler.Flush(assembled);
                foreach (var record in assembled)
                {
                    if (block.Count == batchSize) yield return block.TakeChunk(layout, new ReadPosition(record.Offset, record.Line));
                    if (record.Issue is null && record.Lines == 1 && HeaderAgain(record.Bytes, layout, record.Line, block) is { } next)
                    {
                        // Lines after the header were read with the old layout: they are read again.
                        nextLayout = next;
                        restart = After(file, record.Offset + record.Bytes.Length, record.Line, end);
                        break;
                    }
                    Append(block, record.Bytes, record.Line, record.Lines, record.Issue);
                }
            }
            if (nextLayout is null)
            {
                // The region ends right after a line break (or at the end of the file): the next line
                // is the segment's first line plus the line breaks read.
                var endLine = (segment.Offset == 0 ? 1 : segment.Line) + input.LineBreaks;
                if (block.Count > 0 || start.Offset < end) yield return block.TakeChunk(layout, new ReadPosition(end, endLine));
                yield break;
            }
            // A repeated header ends its batch, so that every batch has one layout.
            yield return block.TakeChunk(layout, restart, nextLayout);
            layout = nextLayout;
            segment = restart;
        }
    }

    /// <summary>
    /// When the line is a header again (or Excel's sep= line), adds it to the block as
    /// <c>repeated_header</c> and returns the layout of the rows after it; otherwise null.
    /// </summary>
    private static SourceFormat? HeaderAgain(ReadOnlySpan<byte> raw, SourceFormat layout, long line, Block block)
    {
        string detail;
        SourceFormat next;
        if (SourceLayout.SeparatorHint(raw) is { } separator)
        {
            next = layout with { Separator = separator, DecimalMark = separator == ',' ? '.' : layout.DecimalMark };
            detail = $"line {line} is Excel's separator line '{Encoding.UTF8.GetString(raw)}' inside the file: another export starts here";
        }
        else if (SourceLayout.RepeatedHeader(raw, layout) is { } header)
        {
            next = header;
            var reordered = header.Separator != layout.Separator || !header.ColumnMap.SequenceEqual(layout.ColumnMap) || header.FieldCount != layout.FieldCount;
            detail = reordered
                ? $"line {line} is a header again, with its columns in another order: the rows after it are read with its order"
                : $"line {line} is a header again: another export starts here";
        }
        else return null;
        block.Add(raw, line, new RejectionReason("repeated_header", detail), 1);
        return next;
    }

    /// <summary>The position of the line after one that ends at <paramref name="lineEnd"/> (its CR LF, CR or LF skipped).</summary>
    private static ReadPosition After(FileStream file, long lineEnd, long line, long end)
    {
        Span<byte> next = stackalloc byte[2];
        var n = lineEnd >= end ? 0 : RandomAccess.Read(file.SafeFileHandle, next[..(int)Math.Min(2, end - lineEnd)], lineEnd);
        var skip = n == 0 ? 0 : next[0] == '\r' && n == 2 && next[1] == '\n' ? 2 : next[0] is (byte)'\r' or (byte)'\n' ? 1 : 0;
        return new ReadPosition(lineEnd + skip, line + 1);
    }

    /// <summary>Adds a record as text. Records that cannot travel faithfully are flagged for quarantine.</summary>
    private void Append(Block block, ReadOnlySpan<byte> raw, long line, int lines, RejectionReason? issue)
    {
        if (raw.Length > maxLineBytes)
        {
            // Kept as one line: a joined record's own line breaks would split it into several records.
            var kept = Repaired(raw[..Math.Min(1024, raw.Length)], "…");
            kept.AsSpan().Replace((byte)'\n', (byte)' ');
            block.Add(kept, line, issue ?? new RejectionReason("line_too_long", $"line is {raw.Length} bytes; the limit is {maxLineBytes}"), 1);
        }
        else if (!Utf8.IsValid(raw))
            block.Add(Repaired(raw), line, issue ?? new RejectionReason("invalid_utf8", "line is not valid UTF-8 text"), lines);
        else
            block.Add(raw, line, issue, lines);
    }

    /// <summary>
    /// The records of the batch being read, as UTF-8, decoded into one string per batch: a string
    /// per record and a StringBuilder were most of what ingest allocated. Reused from batch to batch.
    /// </summary>
    private sealed class Block(int capacity)
    {
        private readonly ArrayBufferWriter<byte> _text = new(capacity * 110);
        private readonly List<long> _lines = new(capacity);
        private List<LineIssue>? _issues;
        private List<MultiLineRecord>? _multiLine;
        public int Count => _lines.Count;

        public void Add(ReadOnlySpan<byte> utf8, long line, RejectionReason? issue, int lines)
        {
            if (issue is not null) (_issues ??= []).Add(new LineIssue(_lines.Count, issue));
            if (lines > 1) (_multiLine ??= []).Add(new MultiLineRecord(_lines.Count, lines));
            // A record's own line breaks are '\n' only when it is listed as multi-line, so '\n' separates the others.
            _text.Write(utf8);
            _text.Write("\n"u8);
            _lines.Add(line);
        }

        /// <summary>The batch so far as a chunk; the block is empty afterwards.</summary>
        public ReadChunk TakeChunk(SourceFormat layout, ReadPosition next, SourceFormat? nextLayout = null)
        {
            var chunk = new ReadChunk(layout, Encoding.UTF8.GetString(_text.WrittenSpan), _lines.ToArray(), (IReadOnlyList<LineIssue>?)_issues ?? [],
                (IReadOnlyList<MultiLineRecord>?)_multiLine ?? [], next, nextLayout);
            _text.ResetWrittenCount();
            _lines.Clear();
            _issues = null;
            _multiLine = null;
            return chunk;
        }
    }

    /// <summary>The bytes as valid UTF-8: an invalid sequence (or a character cut at a limit) becomes U+FFFD.</summary>
    private static byte[] Repaired(ReadOnlySpan<byte> bytes, string suffix = "") => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes) + suffix);

    /// <summary>
    /// The separator that makes the header line a header (every required column named), tried in
    /// the order of their counts on that line; null when none does, or when Excel's <c>sep=</c> line
    /// names it (CsvHelper reads that line itself). CsvHelper's own guess looks at the first lines,
    /// which a second export concatenated early in the file can outvote.
    /// </summary>
    private static async Task<char?> HeaderSeparatorAsync(FileStream file, CancellationToken ct)
    {
        var head = new byte[64 * 1024];
        file.Seek(0, SeekOrigin.Begin);
        var n = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var bytes = head.AsSpan(0, n);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        var line = bytes.IndexOfAny((byte)'\r', (byte)'\n') is var eol and >= 0 ? bytes[..eol] : bytes;
        if (SourceLayout.SeparatorHint(line) is not null) return null;
        var header = line.ToArray();
        foreach (var separator in new[] { ';', ',', '\t', '|' }.OrderByDescending(c => header.Count(b => b == c)))
        {
            using var reader = CsvReader.Create(header, CsvReaderOptions.Default with
            {
                HasHeader = false, Separator = separator, DetectSeparatorHint = false, AllowLineBreaksInQuotes = false,
            });
            if (!reader.Read()) return null;
            try
            {
                SourceLayout.FromHeader(separator, Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToList());
                return separator;
            }
            catch (SourceFormatException) { }
        }
        return null;
    }

    /// <summary>
    /// A file that is not text at all: NUL bytes in its first line, or in more than 1% of its first
    /// 8 KiB. A NUL inside a data row is that row's fault (quarantined by transform), not the file's.
    /// UTF-16 text is refused with what to do about it.
    /// </summary>
    private static async Task RejectBinaryAsync(FileStream file, CancellationToken ct)
    {
        var head = new byte[8192];
        var n = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        if (n == 0) throw new SourceFormatException("the source is empty (0 bytes)");
        var bytes = head.AsSpan(0, n);
        if (bytes.StartsWith(new byte[] { 0xFF, 0xFE }) || bytes.StartsWith(new byte[] { 0xFE, 0xFF }))
            throw new SourceFormatException("the source is UTF-16 text; save it as UTF-8 (in Excel: CSV UTF-8)");
        var firstLine = bytes.IndexOfAny((byte)'\r', (byte)'\n') is var eol and >= 0 ? bytes[..eol] : bytes;
        if (firstLine.Contains((byte)0) || bytes.Count((byte)0) * 100 > n)
            throw new SourceFormatException("the source is binary data (NUL bytes), not a CSV text file");
    }
}
