using System.Text.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>
/// objects.copy (<c>copyTo</c>), objects.rewrite (<c>rewriteTo</c>, always done in one call) and objects.compose.
/// Source preconditions are <c>ifSource*</c> (and <c>sourceGeneration</c>), destination ones <c>if*</c>. A
/// composite object has a CRC-32C but no MD5 and counts its components, as in GCS.
/// </summary>
public static class CopyEndpoints
{
    private const int MaxComposeSources = 32;

    public static async Task CopyAsync(HttpContext context, RequestTarget target, ObjectStore store, EmulatorOptions options, bool rewrite)
    {
        var request = context.Request;
        var cancel = context.RequestAborted;
        var body = await RequestBodies.ReadJsonAsync(request.Body, options.MaxJsonBytes, cancel);
        Names.CheckObject(target.DestinationName!);
        store.GetBucket(target.DestinationBucket!);
        var temp = store.Layout.NewTempFile();
        ObjectRecord source;
        try
        {
            var (src, data) = store.OpenObject(target.Bucket!, target.Name!, Preconditions.Long(request.Query, "sourceGeneration"),
                Preconditions.FromQuery(request.Query, "ifSource"));
            source = src;
            await using (data)
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, true))
                await data.CopyToAsync(file, cancel);
            var created = await store.CommitAsync(new NewObject(
                target.DestinationBucket!, target.DestinationName!, temp,
                new ContentHashes(source.Size, source.Md5Hash, source.Crc32c),
                ObjectFields.Override(source, body),
                Preconditions.FromQuery(request.Query),
                source.ComponentCount), cancel);
            var resource = Resources.Object(created, Resources.BaseUrl(request));
            if (!rewrite)
            {
                await Responses.JsonAsync(context, resource);
                return;
            }
            await Responses.JsonAsync(context, new JsonObject
            {
                ["kind"] = "storage#rewriteResponse",
                ["totalBytesRewritten"] = Resources.Int64(created.Size),
                ["objectSize"] = Resources.Int64(created.Size),
                ["done"] = true,
                ["resource"] = resource,
            });
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static async Task ComposeAsync(HttpContext context, RequestTarget target, ObjectStore store, EmulatorOptions options)
    {
        var request = context.Request;
        var cancel = context.RequestAborted;
        var body = await RequestBodies.ReadJsonAsync(request.Body, options.MaxJsonBytes, cancel) ?? throw GcsException.Required("sourceObjects");
        if (!body.TryGetProperty("sourceObjects", out var sources) || sources.ValueKind != JsonValueKind.Array || sources.GetArrayLength() == 0)
            throw GcsException.Required("sourceObjects");
        if (sources.GetArrayLength() > MaxComposeSources)
            throw GcsException.Invalid($"The number of source components provided ({sources.GetArrayLength()}) exceeds the maximum ({MaxComposeSources}).");
        Names.CheckObject(target.Name!);
        var temp = store.Layout.NewTempFile();
        try
        {
            var crc = new Crc32c();
            long size = 0;
            var components = 0;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, true))
            {
                foreach (var s in sources.EnumerateArray())
                {
                    var name = ObjectFields.String(s, "name") ?? throw GcsException.Required("sourceObjects.name");
                    long? generation = s.TryGetProperty("generation", out var g) ? Int64(g) : null;
                    long? ifGeneration = s.TryGetProperty("objectPreconditions", out var p) && p.TryGetProperty("ifGenerationMatch", out var m) ? Int64(m) : null;
                    var (source, data) = store.OpenObject(target.Bucket!, name, generation, new Preconditions(IfGenerationMatch: ifGeneration));
                    await using (data)
                    {
                        var buffer = new byte[81920];
                        int read;
                        while ((read = await data.ReadAsync(buffer, cancel)) > 0)
                        {
                            crc.Append(buffer.AsSpan(0, read));
                            await file.WriteAsync(buffer.AsMemory(0, read), cancel);
                        }
                    }
                    size += source.Size;
                    components += source.ComponentCount ?? 1;
                    if (size > options.MaxObjectBytes) throw new GcsException(413, "uploadTooLarge", $"The object exceeds the emulator's limit of {options.MaxObjectBytes} bytes.");
                }
            }
            var destination = body.TryGetProperty("destination", out var d) && d.ValueKind == JsonValueKind.Object ? d : (JsonElement?)null;
            var created = await store.CommitAsync(new NewObject(
                target.Bucket!, target.Name!, temp, new ContentHashes(size, null, crc.ToBase64()),
                ObjectFields.Read(destination), Preconditions.FromQuery(request.Query), components), cancel);
            await Responses.JsonAsync(context, Resources.Object(created, Resources.BaseUrl(request)));
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    // int64 fields arrive as strings (the JSON API's convention) or as numbers.
    private static long Int64(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var n) => n,
        JsonValueKind.String when long.TryParse(value.GetString(), out var n) => n,
        _ => throw GcsException.Invalid("Invalid int64 value in sourceObjects."),
    };
}
