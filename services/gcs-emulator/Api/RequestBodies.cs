using System.Text.Json;
using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>Reads request bodies within their size limits: JSON resources, and object bytes into temp files.</summary>
public static class RequestBodies
{
    /// <summary>The JSON body, or null when the body is empty. 400 for invalid JSON, 413 past <paramref name="limit"/> bytes.</summary>
    public static async Task<JsonElement?> ReadJsonAsync(Stream body, long limit, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        await CopyLimitedAsync(body, buffer, limit, null, cancel);
        if (buffer.Length == 0) return null;
        try
        {
            using var doc = JsonDocument.Parse(buffer.ToArray());
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? doc.RootElement.Clone()
                : throw GcsException.Invalid("The request body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new GcsException(400, "parseError", $"Parse Error: {e.Message}");
        }
    }

    /// <summary>Streams <paramref name="body"/> into <paramref name="path"/> and hashes it. 413 past <paramref name="limit"/> bytes.</summary>
    public static async Task<ContentHashes> SaveAsync(Stream body, string path, long limit, CancellationToken cancel)
    {
        var hasher = new ContentHasher();
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, true);
        await CopyLimitedAsync(body, file, limit, hasher, cancel);
        return hasher.Finish();
    }

    /// <summary>Copies at most <paramref name="limit"/> bytes; 413 when the source holds more.</summary>
    public static async Task<long> CopyLimitedAsync(Stream source, Stream target, long limit, ContentHasher? hasher, CancellationToken cancel)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancel)) > 0)
        {
            total += read;
            if (total > limit) throw new GcsException(413, "uploadTooLarge", $"The request body exceeds the emulator's limit of {limit} bytes.");
            hasher?.Append(buffer.AsSpan(0, read));
            await target.WriteAsync(buffer.AsMemory(0, read), cancel);
        }
        return total;
    }
}

/// <summary>Reads the object fields a request may set (upload metadata, copy/compose destinations, patches).</summary>
public static class ObjectFields
{
    /// <summary>The writable metadata in <paramref name="json"/> (absent fields stay null).</summary>
    public static ObjectMetadata Read(JsonElement? json)
    {
        if (json is not { } j) return new ObjectMetadata();
        return new ObjectMetadata
        {
            ContentType = String(j, "contentType"),
            ContentEncoding = String(j, "contentEncoding"),
            ContentDisposition = String(j, "contentDisposition"),
            ContentLanguage = String(j, "contentLanguage"),
            CacheControl = String(j, "cacheControl"),
            Metadata = Map(j),
        };
    }

    /// <summary>A string field, or null when absent or null. 400 when it is another JSON type.</summary>
    public static string? String(JsonElement json, string name)
    {
        if (!json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw GcsException.Invalid($"Invalid value for {name}: a string is expected.");
    }

    /// <summary>
    /// Patch semantics: a field present in <paramref name="patch"/> replaces the current one (null clears it);
    /// <c>metadata</c> is merged key by key, a null value removing the key, and <c>"metadata": null</c> clears it.
    /// With <paramref name="replace"/> (PUT, update), every writable field not given is cleared.
    /// </summary>
    public static ObjectRecord Apply(ObjectRecord current, JsonElement patch, bool replace)
    {
        string? Field(string name, string? now) => patch.TryGetProperty(name, out _) ? String(patch, name) : replace ? null : now;
        Dictionary<string, string>? metadata = replace ? null : current.Metadata is null ? null : new(current.Metadata);
        if (patch.TryGetProperty("metadata", out var m))
        {
            if (m.ValueKind == JsonValueKind.Null) metadata = null;
            else if (m.ValueKind != JsonValueKind.Object) throw GcsException.Invalid("Invalid value for metadata: an object is expected.");
            else
            {
                metadata ??= new Dictionary<string, string>();
                foreach (var p in m.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Null) metadata.Remove(p.Name);
                    else metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }
        }
        return current with
        {
            ContentType = Field("contentType", current.ContentType) ?? "application/octet-stream",
            ContentEncoding = Field("contentEncoding", current.ContentEncoding),
            ContentDisposition = Field("contentDisposition", current.ContentDisposition),
            ContentLanguage = Field("contentLanguage", current.ContentLanguage),
            CacheControl = Field("cacheControl", current.CacheControl),
            Metadata = metadata is { Count: > 0 } ? metadata : null,
        };
    }

    /// <summary>Metadata of <paramref name="source"/> overridden by the fields present in <paramref name="json"/>.</summary>
    public static ObjectMetadata Override(ObjectRecord source, JsonElement? json)
    {
        var merged = json is { } j ? Apply(source, j, replace: false) : source;
        return new ObjectMetadata
        {
            ContentType = merged.ContentType,
            ContentEncoding = merged.ContentEncoding,
            ContentDisposition = merged.ContentDisposition,
            ContentLanguage = merged.ContentLanguage,
            CacheControl = merged.CacheControl,
            Metadata = merged.Metadata,
        };
    }

    private static Dictionary<string, string>? Map(JsonElement json)
    {
        if (!json.TryGetProperty("metadata", out var m) || m.ValueKind == JsonValueKind.Null) return null;
        if (m.ValueKind != JsonValueKind.Object) throw GcsException.Invalid("Invalid value for metadata: an object is expected.");
        var map = new Dictionary<string, string>();
        foreach (var p in m.EnumerateObject())
            if (p.Value.ValueKind != JsonValueKind.Null)
                map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        return map;
    }
}
