using CoffeeMesh.Contracts;
using CsvHelper;

namespace CoffeeMesh.Ingest.Reading;

/// <summary>A record as the assembler hands it on: one source line, or several joined by '\n'.</summary>
internal readonly record struct AssembledRecord(byte[] Bytes, long Line, long Offset, int Lines, RejectionReason? Issue);

/// <summary>
/// Joins the lines of a record whose quoted field holds line breaks (RFC 4180; a spreadsheet's
/// Alt+Enter). The file is read line by line, so one stray quote cannot swallow the rest of it:
/// a line that leaves a quote open is held, and the next lines are added while the quote stays
/// open. The joined lines are one record only if they read as exactly one record of about the
/// file's field count; a quote still open after <c>maxLines</c> lines (or <c>maxBytes</c>), or lines
/// that do not make such a record, are given up: the first line is quarantined as
/// <c>unbalanced_quote</c> and the lines after it are read again as records of their own.
/// Never a truncated record that looks valid.
/// </summary>
internal sealed class RecordAssembler(char separator, int fieldCount, int maxLines, int maxBytes)
{
    private readonly record struct Line(byte[] Bytes, long Number, long Offset, bool OpensQuote);

    private readonly List<Line> _held = [];
    private int _heldBytes;

    /// <summary>Whether lines are held waiting for a quote to close.</summary>
    public bool Holding => _held.Count > 0;

    /// <summary>Takes the next source line; adds to <paramref name="output"/> the records it completes (none while a quote stays open).</summary>
    /// <param name="opensQuote">The line, read on its own, ends inside a quoted field.</param>
    public void Push(ReadOnlySpan<byte> raw, long line, long offset, bool opensQuote, List<AssembledRecord> output) =>
        Process(new Line(raw.ToArray(), line, offset, opensQuote), output);

    /// <summary>The end of the input: lines still held are given up.</summary>
    public void Flush(List<AssembledRecord> output)
    {
        if (_held.Count > 0) GiveUp($"a quoted field opened on line {_held[0].Number} is not closed before the end of the file", output);
    }

    private void Process(Line line, List<AssembledRecord> output)
    {
        if (_held.Count == 0)
        {
            if (line.OpensQuote) Hold(line);
            else output.Add(new AssembledRecord(line.Bytes, line.Number, line.Offset, 1, null));
            return;
        }
        Hold(line);
        var joined = Join();
        switch (ReadJoined(joined))
        {
            case Joined.OneRecord:
                output.Add(new AssembledRecord(joined, _held[0].Number, _held[0].Offset, _held.Count, null));
                _held.Clear();
                _heldBytes = 0;
                break;
            case Joined.StillOpen when _held.Count < maxLines && _heldBytes < maxBytes:
                break;
            case Joined.StillOpen:
                GiveUp($"a quoted field opened on line {_held[0].Number} is not closed within {_held.Count} lines", output);
                break;
            default:
                GiveUp($"lines {_held[0].Number} to {_held[^1].Number} do not make one record of {fieldCount} fields", output);
                break;
        }
    }

    private void Hold(Line line)
    {
        _held.Add(line);
        _heldBytes += line.Bytes.Length + 1;
    }

    private void GiveUp(string detail, List<AssembledRecord> output)
    {
        var lines = _held.ToList();
        _held.Clear();
        _heldBytes = 0;
        output.Add(new AssembledRecord(lines[0].Bytes, lines[0].Number, lines[0].Offset, 1, new RejectionReason("unbalanced_quote", detail)));
        // The lines after it were read on their own already; each is taken again as if it came now.
        foreach (var next in lines.Skip(1)) Process(next, output);
    }

    private byte[] Join()
    {
        var joined = new byte[_heldBytes - 1];
        var at = 0;
        foreach (var line in _held)
        {
            if (at > 0) joined[at++] = (byte)'\n';
            line.Bytes.CopyTo(joined, at);
            at += line.Bytes.Length;
        }
        return joined;
    }

    private enum Joined { OneRecord, StillOpen, NotARecord }

    private Joined ReadJoined(byte[] joined)
    {
        var open = false;
        using var reader = CsvReader.Create(joined, CsvReaderOptions.Default with
        {
            HasHeader = false, Separator = separator, DetectSeparatorHint = false, AllowLineBreaksInQuotes = true, SkipEmptyLines = false,
            OnMalformedRecord = m => open |= m.Reason == CsvMalformedReason.UnterminatedQuote,
        });
        if (!reader.Read()) return Joined.NotARecord;
        if (open) return Joined.StillOpen;
        var fields = reader.FieldCount;
        if (reader.Read()) return Joined.NotARecord; // the quote closed before the last line: these are not one record
        // The exact count (a trailing empty column may add or lack one) is transform's to judge.
        return Math.Abs(fields - fieldCount) <= 1 ? Joined.OneRecord : Joined.NotARecord;
    }
}
