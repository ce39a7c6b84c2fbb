using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace CoffeeMesh.Ingest.Api;

/// <summary>What an upload request carried: the file written and the optional date range.</summary>
public sealed record Upload(string Path, DateOnly? From, DateOnly? To);

/// <summary>Why an upload was refused: the HTTP status to answer and a sentence for the caller.</summary>
public sealed record UploadRefusal(int StatusCode, string Detail);

/// <summary>
/// Streams an uploaded file straight from the request into one file, in one pass, never holding
/// more than a buffer of it in memory and never copying it twice. Two forms: the file as the raw
/// body (text/csv, text/plain, text/tab-separated-values or application/octet-stream; name, from and
/// to in the query), or multipart/form-data with a "file" field (from and to as fields or in the
/// query). The file is cut off at <c>limit</c> bytes: the request is refused with 413 and the
/// partial file deleted; on any refusal or error no file is left behind.
/// </summary>
public static class UploadReceiver
{
    /// <summary>Room for multipart boundaries, headers and the date fields around the file itself.</summary>
    private const long FramingAllowance = 64 * 1024;
    private const int FieldLimit = 1024;
    private static readonly string[] RawTypes = ["text/csv", "text/plain", "text/tab-separated-values", "application/octet-stream"];

    /// <param name="request">The upload request; its body is read once, as it arrives.</param>
    /// <param name="pathFor">The file to write, given the file's name as the client sent it (null if none).</param>
    /// <param name="limit">Largest file accepted, in bytes.</param>
    /// <returns>The upload, or why it was refused (400 bad dates or form, 413 too large, 415 other content).</returns>
    public static async Task<(Upload? Upload, UploadRefusal? Refusal)> ReceiveAsync(HttpRequest request, Func<string?, string> pathFor, long limit, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit + FramingAllowance;
        if (request.ContentLength > limit + FramingAllowance) return Refuse413(limit);
        if (!TryDate(request.Query["from"], out var from) || !TryDate(request.Query["to"], out var to)) return BadDates();

        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return await MultipartAsync(request, type, pathFor, limit, from, to, ct);
        if (request.ContentType is not null && !RawTypes.Any(t => type?.MediaType.Equals(t, StringComparison.OrdinalIgnoreCase) == true))
            return (null, new UploadRefusal(StatusCodes.Status415UnsupportedMediaType,
                $"send the file as the body (Content-Type {string.Join(", ", RawTypes)}) or as multipart/form-data with a 'file' field"));
        if (from > to) return (null, new UploadRefusal(StatusCodes.Status400BadRequest, "'from' is after 'to'"));
        var path = pathFor(request.Query["name"]);
        return await WriteAsync(request.Body, path, limit, ct) ? (new Upload(path, from, to), null) : Refuse413(limit);
    }

    private static async Task<(Upload?, UploadRefusal?)> MultipartAsync(HttpRequest request, MediaTypeHeaderValue type, Func<string?, string> pathFor, long limit,
        DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200) return (null, new UploadRefusal(StatusCodes.Status400BadRequest, "multipart/form-data without a usable boundary"));
        // Section sizes are counted here (the file against the limit, fields against FieldLimit).
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        string? path = null;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)) continue;
                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (field == "file" && path is null)
                {
                    path = pathFor(HeaderUtilities.RemoveQuotes(disposition.FileName).Value);
                    if (!await WriteAsync(section.Body, path, limit, ct)) { path = null; return Refuse413(limit); }
                }
                else if (field is "from" or "to")
                {
                    var text = await ReadFieldAsync(section.Body, ct);
                    if (!TryDate(text, out var date)) { Delete(path); return BadDates(); }
                    if (field == "from") from = date ?? from; else to = date ?? to;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            Delete(path);
            return (null, new UploadRefusal(StatusCodes.Status400BadRequest, $"the multipart body could not be read ({e.Message})"));
        }
        catch
        {
            Delete(path);
            throw;
        }
        if (path is null) return (null, new UploadRefusal(StatusCodes.Status400BadRequest, "the form has no 'file' field"));
        if (from > to) { Delete(path); return (null, new UploadRefusal(StatusCodes.Status400BadRequest, "'from' is after 'to'")); }
        return (new Upload(path, from, to), null);
    }

    /// <summary>Copies the stream into a new file; false (and no file) once it passes <paramref name="limit"/> bytes.</summary>
    private static async Task<bool> WriteAsync(Stream body, string path, long limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        var complete = false;
        try
        {
            // Unbuffered: the chunks written are already large.
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
            long total = 0;
            int n;
            while ((n = await body.ReadAsync(buffer, ct)) > 0)
            {
                total += n;
                if (total > limit) return false;
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
            }
            complete = true;
            return true;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return false; // Kestrel's cap (limit + framing) was reached first.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!complete) Delete(path);
        }
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        var buffer = new byte[FieldLimit + 1];
        var n = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        if (n > FieldLimit) throw new InvalidDataException($"a form field is longer than {FieldLimit} bytes");
        return System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static void Delete(string? path)
    {
        if (path is null) return;
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static (Upload?, UploadRefusal?) Refuse413(long limit) =>
        (null, new UploadRefusal(StatusCodes.Status413PayloadTooLarge, $"upload is larger than the limit of {limit} bytes (Ingest:MaxUploadBytes)"));

    private static (Upload?, UploadRefusal?) BadDates() =>
        (null, new UploadRefusal(StatusCodes.Status400BadRequest, "'from' and 'to' must be dates like 2025-01-31"));

    private static bool TryDate(string? text, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", out var d)) return false;
        date = d;
        return true;
    }
}
