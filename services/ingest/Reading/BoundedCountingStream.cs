namespace CoffeeMesh.Ingest.Reading;

/// <summary>
/// Reads at most <c>length</c> bytes of the inner stream and counts the line breaks that pass (CR,
/// LF and CR LF each once, also when a CR LF is split between two reads), so the reader knows the
/// line number at the end of a region without a second pass. When asked (a file whose lines end
/// in LF or CR LF), it also notes where a lone CR is, by its offset in the file.
/// </summary>
internal sealed class BoundedCountingStream(Stream inner, long length, bool leaveOpen = false, long? noteLoneCrsFrom = null) : Stream
{
    private long _remaining = length;
    private long _position;
    private bool _afterCr;
    public long LineBreaks { get; private set; }

    /// <summary>File offsets of lone CRs read so far (only when asked for); the reader removes those it has used.</summary>
    public HashSet<long>? LoneCrs { get; } = noteLoneCrsFrom is null ? null : [];

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0) return 0;
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        Count(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_remaining <= 0) return 0;
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], ct);
        Count(buffer.Span[..n]);
        return n;
    }

    private void Count(ReadOnlySpan<byte> read)
    {
        if (read.IsEmpty) return;
        if (LoneCrs is not null) NoteLoneCrs(read);
        _position += read.Length;
        _remaining -= read.Length;
        LineBreaks += read.Count((byte)'\n');
        // A CR counts unless a LF follows it; a LF right after the CR that ended the last read was counted with that CR.
        if (read.Contains((byte)'\r'))
            for (var i = 0; i < read.Length; i++)
                if (read[i] == '\r' && (i + 1 == read.Length || read[i + 1] != '\n')) LineBreaks++;
        if (_afterCr && read[0] == '\n') LineBreaks--;
        _afterCr = read[^1] == '\r';
    }

    private void NoteLoneCrs(ReadOnlySpan<byte> read)
    {
        var start = noteLoneCrsFrom!.Value + _position;
        // A CR that ended the last read is lone unless this read starts with its LF.
        if (_afterCr && read[0] != '\n') LoneCrs!.Add(start - 1);
        if (!read.Contains((byte)'\r')) return;
        for (var i = 0; i < read.Length - 1; i++)
            if (read[i] == '\r' && read[i + 1] != '\n') LoneCrs!.Add(start + i);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen) inner.Dispose();
        base.Dispose(disposing);
    }
}
