using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>
/// <c>POST /upload/storage/v1/b/{bucket}/o</c>: objects.insert with uploadType=media (name in the query, bytes
/// in the body), multipart (multipart/related: JSON metadata, then the bytes) or resumable (opens a session
/// whose absolute <c>Location</c> uses the host and port the client used). Requests carrying
/// <c>upload_id</c> belong to a session (<see cref="ResumableUploads"/>).
/// </summary>
public static class UploadEndpoints
{
    public static async Task HandleAsync(HttpContext context, RequestTarget target, ObjectStore store, UploadSessions sessions, EmulatorOptions options)
    {
        var request = context.Request;
        if (target.Operation != Operation.Objects) throw new GcsException(404, "notFound", "Not Found");
        if (Responses.Text(request, "upload_id") is { } uploadId)
        {
            await ResumableUploads.HandleAsync(context, uploadId, store, sessions, options);
            return;
        }
        if (request.Method != "POST") throw new GcsException(405, "methodNotAllowed", "Uploads are started with POST.");
        var bucket = target.Bucket!;
        store.GetBucket(bucket); // 404 before reading any bytes
        switch (Responses.Text(request, "uploadType"))
        {
            case "media": await MediaAsync(context, bucket, store, options); return;
            case "multipart": await MultipartAsync(context, bucket, store, options); return;
            case "resumable": await StartResumableAsync(context, bucket, sessions, options); return;
            default: throw GcsException.Invalid("uploadType must be media, multipart or resumable.");
        }
    }

    private static async Task MediaAsync(HttpContext context, string bucket, ObjectStore store, EmulatorOptions options)
    {
        var request = context.Request;
        var name = Responses.Text(request, "name") ?? throw GcsException.Required("object name");
        var metadata = new ObjectMetadata { ContentType = request.ContentType, ContentEncoding = Responses.Text(request, "contentEncoding") };
        await SaveAndCommitAsync(context, store, options, bucket, name, request.Body, metadata, DeclaredHashes.FromHeaders(request.Headers));
    }

    private static async Task MultipartAsync(HttpContext context, string bucket, ObjectStore store, EmulatorOptions options)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.Boundary.Value is not { Length: > 0 } boundary)
            throw GcsException.Invalid("A multipart upload needs a multipart/related Content-Type with a boundary.");
        var reader = new MultipartReader(HeaderUtilities.RemoveQuotes(boundary).ToString(), request.Body);
        var metadataPart = await reader.ReadNextSectionAsync(context.RequestAborted) ?? throw GcsException.Invalid("The multipart body has no metadata part.");
        var json = await RequestBodies.ReadJsonAsync(metadataPart.Body, options.MaxJsonBytes, context.RequestAborted);
        var media = await reader.ReadNextSectionAsync(context.RequestAborted) ?? throw GcsException.Invalid("The multipart body has no media part.");
        var metadata = ObjectFields.Read(json);
        if (metadata.ContentType is null) metadata = metadata with { ContentType = media.ContentType };
        var name = (json is { } j ? ObjectFields.String(j, "name") : null) ?? Responses.Text(request, "name") ?? throw GcsException.Required("object name");
        var declared = DeclaredHashes.FromMetadata(json).And(DeclaredHashes.FromHeaders(request.Headers));
        await SaveAndCommitAsync(context, store, options, bucket, name, media.Body, metadata, declared);
    }

    private static async Task SaveAndCommitAsync(HttpContext context, ObjectStore store, EmulatorOptions options, string bucket, string name,
        Stream body, ObjectMetadata metadata, DeclaredHashes declared)
    {
        Names.CheckObject(name);
        var temp = store.Layout.NewTempFile();
        try
        {
            var hashes = await RequestBodies.SaveAsync(body, temp, options.MaxObjectBytes, context.RequestAborted);
            declared.Verify(hashes);
            var created = await store.CommitAsync(
                new NewObject(bucket, name, temp, hashes, metadata, Preconditions.FromQuery(context.Request.Query)), context.RequestAborted);
            await Responses.JsonAsync(context, Resources.Object(created, Resources.BaseUrl(context.Request)));
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static async Task StartResumableAsync(HttpContext context, string bucket, UploadSessions sessions, EmulatorOptions options)
    {
        var request = context.Request;
        var json = await RequestBodies.ReadJsonAsync(request.Body, options.MaxJsonBytes, context.RequestAborted);
        var name = (json is { } j ? ObjectFields.String(j, "name") : null) ?? Responses.Text(request, "name") ?? throw GcsException.Required("object name");
        Names.CheckObject(name);
        var metadata = ObjectFields.Read(json);
        if (metadata.ContentType is null && request.Headers["X-Upload-Content-Type"].ToString() is { Length: > 0 } uploadType)
            metadata = metadata with { ContentType = uploadType };
        long? total = null;
        if (request.Headers["X-Upload-Content-Length"].ToString() is { Length: > 0 } lengthText)
        {
            total = long.TryParse(lengthText, out var length) && length >= 0 ? length : throw GcsException.Invalid("Invalid X-Upload-Content-Length.");
            if (length > options.MaxObjectBytes) throw new GcsException(413, "uploadTooLarge", $"The object exceeds the emulator's limit of {options.MaxObjectBytes} bytes.");
        }
        var session = sessions.Create(new UploadSession
        {
            Id = Guid.NewGuid().ToString("N"),
            Bucket = bucket,
            Name = name,
            Metadata = metadata,
            Preconditions = Preconditions.FromQuery(request.Query),
            Declared = DeclaredHashes.FromMetadata(json).And(DeclaredHashes.FromHeaders(request.Headers)),
            Total = total,
            Created = DateTimeOffset.UtcNow,
        });
        context.Response.StatusCode = 200;
        context.Response.Headers.Location =
            $"{Resources.BaseUrl(request)}/upload/storage/v1/b/{bucket}/o?uploadType=resumable&name={Uri.EscapeDataString(name)}&upload_id={session.Id}";
        context.Response.ContentLength = 0;
    }
}
