using System.Globalization;
using System.Text.Json.Nodes;
using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>
/// The JSON API's resource shapes (<c>storage#object</c>, <c>storage#bucket</c>). int64 fields
/// (generation, metageneration, size) are strings, as in GCS; times are RFC 3339 UTC with milliseconds.
/// </summary>
public static class Resources
{
    /// <summary>The object resource; links are built on <paramref name="baseUrl"/> (scheme://host:port).</summary>
    public static JsonObject Object(ObjectRecord o, string baseUrl)
    {
        var escaped = Uri.EscapeDataString(o.Name);
        var json = new JsonObject
        {
            ["kind"] = "storage#object",
            ["id"] = $"{o.Bucket}/{o.Name}/{o.Generation}",
            ["selfLink"] = $"{baseUrl}/storage/v1/b/{o.Bucket}/o/{escaped}",
            ["mediaLink"] = $"{baseUrl}/download/storage/v1/b/{o.Bucket}/o/{escaped}?generation={o.Generation}&alt=media",
            ["name"] = o.Name,
            ["bucket"] = o.Bucket,
            ["generation"] = Int64(o.Generation),
            ["metageneration"] = Int64(o.Metageneration),
            ["contentType"] = o.ContentType,
            ["storageClass"] = "STANDARD",
            ["size"] = Int64(o.Size),
            ["crc32c"] = o.Crc32c,
            ["etag"] = ETag(o.Generation, o.Metageneration),
            ["timeCreated"] = Time(o.TimeCreated),
            ["updated"] = Time(o.Updated),
            ["timeStorageClassUpdated"] = Time(o.TimeCreated),
            ["timeFinalized"] = Time(o.TimeCreated),
        };
        if (o.Md5Hash is not null) json["md5Hash"] = o.Md5Hash;
        if (o.ContentEncoding is not null) json["contentEncoding"] = o.ContentEncoding;
        if (o.ContentDisposition is not null) json["contentDisposition"] = o.ContentDisposition;
        if (o.ContentLanguage is not null) json["contentLanguage"] = o.ContentLanguage;
        if (o.CacheControl is not null) json["cacheControl"] = o.CacheControl;
        if (o.ComponentCount is { } count) json["componentCount"] = count;
        if (o.TimeDeleted is { } deleted) json["timeDeleted"] = Time(deleted);
        if (o.Metadata is { Count: > 0 } metadata)
        {
            var m = new JsonObject();
            foreach (var (k, v) in metadata) m[k] = v;
            json["metadata"] = m;
        }
        return json;
    }

    /// <summary>The bucket resource.</summary>
    public static JsonObject Bucket(BucketRecord b, string baseUrl)
    {
        var json = new JsonObject
        {
            ["kind"] = "storage#bucket",
            ["id"] = b.Name,
            ["selfLink"] = $"{baseUrl}/storage/v1/b/{b.Name}",
            ["projectNumber"] = "0",
            ["name"] = b.Name,
            ["timeCreated"] = Time(b.TimeCreated),
            ["updated"] = Time(b.Updated),
            ["metageneration"] = Int64(b.Metageneration),
            ["location"] = b.Location,
            ["locationType"] = "multi-region",
            ["storageClass"] = b.StorageClass,
            ["etag"] = ETag(null, b.Metageneration),
            ["versioning"] = new JsonObject { ["enabled"] = b.Versioning },
        };
        if (b.Labels is { Count: > 0 } labels)
        {
            var l = new JsonObject();
            foreach (var (k, v) in labels) l[k] = v;
            json["labels"] = l;
        }
        return json;
    }

    /// <summary>scheme://host:port as the client addressed this server (links and Location headers use it).</summary>
    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    public static string Int64(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>GCS's etag is base64 of a small protobuf: field 1 generation, field 2 metageneration.</summary>
    public static string ETag(long? generation, long metageneration)
    {
        var bytes = new List<byte>();
        if (generation is { } g) { bytes.Add(0x08); Varint(bytes, (ulong)g); }
        bytes.Add(generation is null ? (byte)0x08 : (byte)0x10);
        Varint(bytes, (ulong)metageneration);
        return Convert.ToBase64String(bytes.ToArray());
    }

    private static void Varint(List<byte> bytes, ulong value)
    {
        while (value >= 0x80) { bytes.Add((byte)(value | 0x80)); value >>= 7; }
        bytes.Add((byte)value);
    }
}
