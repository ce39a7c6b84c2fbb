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
/// <para>
/// A lone CR inside a file whose lines end in LF or CR LF (an old Mac line break typed into a cell)
/// splits a record in two halves that may each look like records. A line ending in one is held for
/// the next: when the two make one record of the file's width they are one record, the CR made the
/// space transform would make of it; otherwise each stands alone (a CR-only export appended, say).
/// </para>
/// Never a truncated record that looks valid.
/// </summary>
internal sealed class RecordAssembler(SourceFormat layout, int maxLines, int maxBytes)
{
    private readonly record struct Line(byte[] Bytes, long Number, long Offset, bool OpensQuote, bool EndsWithLoneCr);

    private readonly List<Line> _held = [];
    private int _heldBytes;
    /// <summary>The held line waits for the line after its lone CR, not for a quote to close.</summary>
    private bool _heldForLoneCr;

    /// <summary>Whether lines are held waiting for a quote to close or for the line after a lone CR.</summary>
    public bool Holding => _held.Count > 0;

    /// <summary>Takes the next source line; adds to <paramref name="output"/> the records it completes (none while a quote stays open).</summary>
    /// <param name="opensQuote">The line, read on its own, ends inside a quoted field.</param>
    /// <param name="endsWithLoneCr">The line ends in a CR without a LF in a file whose lines end in LF or CR LF.</param>
    public void Push(ReadOnlySpan<byte> raw, long line, long offset, bool opensQuote, bool endsWithLoneCr, List<AssembledRecord> output) =>
        Process(new Line(raw.ToArray(), line, offset, opensQuote, endsWithLoneCr), output);

    /// <summary>The end of the input: a quote still open is given up; a line after a lone CR stands alone.</summary>
    public void Flush(List<AssembledRecord> output)
    {
        if (_held.Count == 0) return;
        if (_heldForLoneCr) EmitHeldAlone(output);
        else GiveUp($"a quoted field opened on line {_held[0].Number} is not closed before the end of the file", output);
    }

    private void Process(Line line, List<AssembledRecord> output)
    {
        if (_held.Count == 0)
        {
            if (line.OpensQuote || line.EndsWithLoneCr)
            {
                _heldForLoneCr = !line.OpensQuote;
                Hold(line);
            }
            else output.Add(new AssembledRecord(line.Bytes, line.Number, line.Offset, 1, null));
            return;
        }
        if (_heldForLoneCr)
        {
            // The lone CR becomes the space transform would make of it: the record travels as one line.
            var first = _held[0];
            var halves = new byte[first.Bytes.Length + 1 + line.Bytes.Length];
            first.Bytes.CopyTo(halves, 0);
            halves[first.Bytes.Length] = (byte)' ';
            line.Bytes.CopyTo(halves, first.Bytes.Length + 1);
            if (!line.OpensQuote && ReadJoined(halves) == Joined.OneRecord)
            {
                Clear();
                output.Add(new AssembledRecord(halves, first.Number, first.Offset, 1, null));
                return;
            }
            EmitHeldAlone(output);
            Process(line, output);
            return;
        }
        Hold(line);
        var joined = Join();
        switch (ReadJoined(joined))
        {
            case Joined.OneRecord:
                output.Add(new AssembledRecord(joined, _held[0].Number, _held[0].Offset, _held.Count, null));
                Clear();
                break;
            case Joined.StillOpen when _held.Count < maxLines && _heldBytes < maxBytes:
                break;
            case Joined.StillOpen:
                GiveUp($"a quoted field opened on line {_held[0].Number} is not closed within {_held.Count} lines", output);
                break;
            default:
                GiveUp($"lines {_held[0].Number} to {_held[^1].Number} do not make one record of {layout.FieldCount} fields", output);
                break;
        }
    }

    private void Hold(Line line)
    {
        _held.Add(line);
        _heldBytes += line.Bytes.Length + 1;
    }

    private void Clear()
    {
        _held.Clear();
        _heldBytes = 0;
        _heldForLoneCr = false;
    }

    private void EmitHeldAlone(List<AssembledRecord> output)
    {
        var line = _held[0];
        Clear();
        output.Add(new AssembledRecord(line.Bytes, line.Number, line.Offset, 1, null));
    }

    private void GiveUp(string detail, List<AssembledRecord> output)
    {
        var lines = _held.ToList();
        Clear();
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
        var malformed = new HashSet<CsvMalformedReason>();
        using var reader = CsvReader.Create(joined, CsvReaderOptions.Default with
        {
            HasHeader = false, Separator = layout.Separator, DetectSeparatorHint = false, AllowLineBreaksInQuotes = true, SkipEmptyLines = false,
            OnMalformedRecord = m => malformed.Add(m.Reason),
        });
        if (!reader.Read()) return Joined.NotARecord;
        if (malformed.Contains(CsvMalformedReason.UnterminatedQuote)) return Joined.StillOpen;
        // A quoted field that closes with text after it (12" Mug on the next line) is not how a
        // spreadsheet writes a line break: the quote was a stray one, and the lines are not one record.
        if (malformed.Contains(CsvMalformedReason.TextAfterClosingQuote)) return Joined.NotARecord;
        var fields = reader.FieldCount;
        var lastBlank = string.IsNullOrWhiteSpace(reader.GetString(fields - 1));
        if (reader.Read()) return Joined.NotARecord; // the quote closed before the last line: these are not one record
        return layout.Fits(fields, lastBlank) ? Joined.OneRecord : Joined.NotARecord;
    }
}
