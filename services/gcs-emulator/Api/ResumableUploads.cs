using System.Globalization;
using System.Text.RegularExpressions;
using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>
/// Requests on a resumable session (<c>upload_id</c>), as GCS answers them:
/// <list type="bullet">
/// <item><c>PUT</c> with <c>Content-Range: bytes A-B/T</c> (T a number or *) appends bytes A..B. Bytes the
/// server already has (a resent chunk) are skipped, a gap (A past the persisted end) is refused with 400.
/// When the total is known and reached, the object is finalized (200 + resource); else 308 with
/// <c>Range: bytes=0-{persisted-1}</c> (no Range header while nothing is persisted).</item>
/// <item><c>Content-Range: bytes */*</c> is a status query: 308 as above, never a finalization.
/// <c>bytes */N</c> finalizes when exactly N bytes are persisted (how a client ends an upload whose last chunk
/// was empty, and how an empty object is uploaded), else answers 308 (N larger) or 400 (N smaller).</item>
/// <item>Once finalized, any request on the session answers 200 with the object again.</item>
/// <item><c>DELETE</c> cancels: 499, the bytes are dropped, and the session is gone (404 afterwards).</item>
/// </list>
/// Declared hashes (session metadata, or <c>x-goog-hash</c> on the finalizing request) are checked against the
/// whole object at finalization: a mismatch answers 400 and stores nothing; preconditions are checked then too.
/// </summary>
public static partial class ResumableUploads
{
    [GeneratedRegex(@"^bytes\s+(?:(?<star>\*)|(?<first>\d+)-(?<last>\d+))/(?:(?<total>\d+)|\*)$")]
    private static partial Regex ContentRangePattern();

    public static async Task HandleAsync(HttpContext context, string id, ObjectStore store, UploadSessions sessions, EmulatorOptions options)
    {
        var request = context.Request;
        var cancel = context.RequestAborted;
        using var _ = await sessions.LockAsync(id, cancel);
        var session = sessions.Get(id);
        if (request.Method == "DELETE")
        {
            sessions.Delete(id);
            context.Response.StatusCode = 499;
            return;
        }
        if (request.Method is not ("PUT" or "POST")) throw new GcsException(405, "methodNotAllowed", "Send chunks with PUT.");
        if (session.Completed is { } done)
        {
            await Responses.JsonAsync(context, Resources.Object(done, Resources.BaseUrl(request)));
            return;
        }

        var persisted = sessions.Persisted(id);
        var rangeHeader = request.Headers.ContentRange.ToString();
        long? first = null, last = null, total = null;
        if (rangeHeader.Length == 0)
        {
            // No Content-Range: the body is the whole object.
            var length = request.ContentLength ?? throw GcsException.Invalid("A request without Content-Range needs a Content-Length.");
            (first, last, total) = (0, length - 1, length);
        }
        else
        {
            var m = ContentRangePattern().Match(rangeHeader.Trim());
            if (!m.Success) throw GcsException.Invalid($"Invalid Content-Range: '{rangeHeader}'");
            if (m.Groups["total"].Success) total = Long(m.Groups["total"].Value);
            if (!m.Groups["star"].Success) (first, last) = (Long(m.Groups["first"].Value), Long(m.Groups["last"].Value));
        }

        if (total is { } t)
        {
            if (session.Total is { } known && known != t) throw GcsException.Invalid($"The upload's total size was given as {known}, now as {t}.");
            if (t > options.MaxObjectBytes) throw new GcsException(413, "uploadTooLarge", $"The object exceeds the emulator's limit of {options.MaxObjectBytes} bytes.");
            if (t < persisted) throw GcsException.Invalid($"The total size {t} is less than the {persisted} bytes already uploaded.");
            if (session.Total is null) sessions.Save(session = session with { Total = t });
        }

        if (first is { } a && last is { } b && b >= a)
        {
            if (a > persisted) throw GcsException.Invalid($"Invalid request: the upload has {persisted} bytes, but this chunk starts at byte {a}.");
            if (total is { } tt && b >= tt) throw GcsException.Invalid($"Invalid Content-Range: byte {b} is past the total size {tt}.");
            if (request.ContentLength is { } cl && cl != b - a + 1)
                throw GcsException.Invalid($"Content-Length {cl} does not match Content-Range {rangeHeader} ({b - a + 1} bytes).");
            if (b + 1 > options.MaxObjectBytes) throw new GcsException(413, "uploadTooLarge", $"The object exceeds the emulator's limit of {options.MaxObjectBytes} bytes.");
            persisted = await AppendAsync(request.Body, sessions.PartFile(id), skip: persisted - a, count: b - a + 1, cancel);
        }
        else if (request.ContentLength is > 0)
        {
            throw GcsException.Invalid("A request without a byte range must have an empty body.");
        }

        var finalTotal = session.Total;
        if (finalTotal is { } ft && persisted == ft && (first is not null || total is not null))
        {
            await FinalizeAsync(context, session, store, sessions, cancel);
            return;
        }
        context.Response.StatusCode = 308;
        if (persisted > 0) context.Response.Headers.Range = $"bytes=0-{persisted - 1}";
        context.Response.ContentLength = 0;
    }

    // Appends the body's bytes after the first `skip` (already persisted), returning the new persisted length.
    private static async Task<long> AppendAsync(Stream body, string part, long skip, long count, CancellationToken cancel)
    {
        var buffer = new byte[81920];
        await using var file = new FileStream(part, FileMode.Append, FileAccess.Write, FileShare.Read, 81920, true);
        long seen = 0;
        int read;
        while (seen < count && (read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count - seen)), cancel)) > 0)
        {
            var from = (int)Math.Clamp(skip - seen, 0, read);
            if (from < read) await file.WriteAsync(buffer.AsMemory(from, read - from), cancel);
            seen += read;
        }
        await file.FlushAsync(cancel);
        return file.Length;
    }

    private static async Task FinalizeAsync(HttpContext context, UploadSession session, ObjectStore store, UploadSessions sessions, CancellationToken cancel)
    {
        var part = sessions.PartFile(session.Id);
        var hashes = await ContentHashes.OfFileAsync(part, cancel);
        try
        {
            session.Declared.And(DeclaredHashes.FromHeaders(context.Request.Headers)).Verify(hashes);
            var temp = store.Layout.NewTempFile();
            File.Move(part, temp);
            var created = await store.CommitAsync(new NewObject(session.Bucket, session.Name, temp, hashes, session.Metadata, session.Preconditions), cancel);
            sessions.Save(session with { Completed = created });
            await Responses.JsonAsync(context, Resources.Object(created, Resources.BaseUrl(context.Request)));
        }
        catch (GcsException)
        {
            // A refused finalization (hash mismatch, precondition) ends the session and stores nothing.
            sessions.Delete(session.Id);
            throw;
        }
    }

    private static long Long(string digits) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw GcsException.Invalid("Invalid Content-Range number.");
}
