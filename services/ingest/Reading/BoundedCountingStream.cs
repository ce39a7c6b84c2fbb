namespace CoffeeMesh.Ingest.Reading;

/// <summary>
/// Reads at most <c>length</c> bytes of the inner stream and counts the line breaks that pass (CR,
/// LF and CR LF each once, also when a CR LF is split between two reads), so the reader knows the
/// line number at the end of a region without a second pass.
/// </summary>
internal sealed class BoundedCountingStream(Stream inner, long length, bool leaveOpen = false) : Stream
{
    private long _remaining = length;
    private bool _afterCr;
    public long LineBreaks { get; private set; }

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
        _remaining -= read.Length;
        LineBreaks += read.Count((byte)'\n');
        // A CR counts unless a LF follows it; a LF right after the CR that ended the last read was counted with that CR.
        if (read.Contains((byte)'\r'))
            for (var i = 0; i < read.Length; i++)
                if (read[i] == '\r' && (i + 1 == read.Length || read[i + 1] != '\n')) LineBreaks++;
        if (_afterCr && read[0] == '\n') LineBreaks--;
        _afterCr = read[^1] == '\r';
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
