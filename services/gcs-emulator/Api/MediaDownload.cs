using System.Globalization;
using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>
/// Object bytes (alt=media), whole or one <c>Range</c>: <c>bytes=a-b</c>, <c>bytes=a-</c>, suffix <c>bytes=-n</c>.
/// A satisfiable range gives 206 with <c>Content-Range</c>; a start past the end gives 416 with
/// <c>Content-Range: bytes */size</c>. A whole-object answer carries <c>x-goog-hash</c> (crc32c, and md5 unless
/// composite); a 206 does not, as GCS does not (the official .NET client checks a ranged download against
/// x-goog-hash when present, which only works because GCS leaves it out).
/// </summary>
public static class MediaDownload
{
    public static async Task SendAsync(HttpContext context, ObjectStore store, string bucket, string name, long? generation, Preconditions preconditions)
    {
        var (o, data) = store.OpenObject(bucket, name, generation, preconditions);
        await using var _ = data;
        var response = context.Response;
        var range = ParseRange(context.Request.Headers.Range.ToString(), o.Size);
        if (range is { Start: < 0 })
        {
            var error = new GcsException(416, "requestedRangeNotSatisfiable", "The requested range cannot be satisfied.");
            error.Headers["Content-Range"] = $"bytes */{o.Size}";
            throw error;
        }

        if (range is null) response.Headers["x-goog-hash"] = o.Md5Hash is null ? $"crc32c={o.Crc32c}" : $"crc32c={o.Crc32c},md5={o.Md5Hash}";
        response.Headers["x-goog-generation"] = Resources.Int64(o.Generation);
        response.Headers["x-goog-metageneration"] = Resources.Int64(o.Metageneration);
        response.Headers["x-goog-stored-content-length"] = Resources.Int64(o.Size);
        response.Headers["x-goog-stored-content-encoding"] = o.ContentEncoding ?? "identity";
        response.Headers["x-goog-storage-class"] = "STANDARD";
        response.Headers.ETag = $"\"{Resources.ETag(o.Generation, o.Metageneration)}\"";
        response.Headers.LastModified = o.Updated.ToString("R", CultureInfo.InvariantCulture);
        response.Headers.AcceptRanges = "bytes";
        if (o.ContentDisposition is not null) response.Headers.ContentDisposition = o.ContentDisposition;
        if (o.ContentEncoding is not null) response.Headers.ContentEncoding = o.ContentEncoding;
        if (o.CacheControl is not null) response.Headers.CacheControl = o.CacheControl;
        if (o.ContentLanguage is not null) response.Headers.ContentLanguage = o.ContentLanguage;

        if (range is null)
        {
            response.StatusCode = 200;
            response.ContentType = o.ContentType;
            response.ContentLength = o.Size;
            await data.CopyToAsync(response.Body, context.RequestAborted);
            return;
        }
        var (start, end) = range.Value;
        response.StatusCode = 206;
        response.ContentType = o.ContentType;
        response.Headers.ContentRange = $"bytes {start}-{end}/{o.Size}";
        response.ContentLength = end - start + 1;
        data.Seek(start, SeekOrigin.Begin);
        await RequestBodies.CopyLimitedAsync(new LimitedStream(data, end - start + 1), response.Body, end - start + 1, null, context.RequestAborted);
    }

    /// <summary>
    /// (start, end) inclusive for a satisfiable single range; (-1, -1) for an unsatisfiable one; null to send the
    /// whole object (no Range, not a bytes range, several ranges, or an empty object, as GCS does).
    /// </summary>
    public static (long Start, long End)? ParseRange(string header, long size)
    {
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return null;
        var spec = header[6..].Trim();
        if (spec.Contains(',') || size == 0) return null;
        var dash = spec.IndexOf('-');
        if (dash < 0) return null;
        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix)) return null;
            return suffix == 0 ? (-1, -1) : (Math.Max(0, size - suffix), size - 1);
        }
        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start)) return null;
        long end = size - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start) return null;
            end = Math.Min(end, size - 1);
        }
        return start >= size ? (-1, -1) : (start, end);
    }

    // Reads at most a given number of bytes from the inner stream.
    private sealed class LimitedStream(Stream inner, long remaining) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default)
        {
            if (remaining <= 0) return 0;
            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, remaining)], cancel);
            remaining -= read;
            return read;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
