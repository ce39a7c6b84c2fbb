using System.Text.Json;
using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>
/// Hashes a client declared for the bytes it sends: <c>md5Hash</c>/<c>crc32c</c> in the object metadata, or
/// <c>x-goog-hash: crc32c=...,md5=...</c>. GCS refuses the upload with 400 when one does not match, and stores nothing.
/// </summary>
public sealed record DeclaredHashes(string? Md5, string? Crc32c)
{
    public static readonly DeclaredHashes None = new(null, null);

    /// <summary>From the object metadata of a multipart or resumable upload.</summary>
    public static DeclaredHashes FromMetadata(JsonElement? json) =>
        json is { } j ? new(ObjectFields.String(j, "md5Hash"), ObjectFields.String(j, "crc32c")) : None;

    /// <summary>From every <c>x-goog-hash</c> header of the request.</summary>
    public static DeclaredHashes FromHeaders(IHeaderDictionary headers)
    {
        string? md5 = null, crc = null;
        foreach (var header in headers["x-goog-hash"])
        {
            foreach (var part in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=');
                if (eq <= 0) continue;
                var (name, value) = (part[..eq].Trim(), part[(eq + 1)..].Trim());
                if (name.Equals("md5", StringComparison.OrdinalIgnoreCase)) md5 = value;
                else if (name.Equals("crc32c", StringComparison.OrdinalIgnoreCase)) crc = value;
            }
        }
        return new(md5, crc);
    }

    /// <summary>Both sets; a hash declared in both places must match in both.</summary>
    public DeclaredHashes And(DeclaredHashes other)
    {
        if (Md5 is not null && other.Md5 is not null && Md5 != other.Md5) throw Mismatch("MD5 hash", other.Md5, Md5);
        if (Crc32c is not null && other.Crc32c is not null && Crc32c != other.Crc32c) throw Mismatch("CRC32C", other.Crc32c, Crc32c);
        return new(Md5 ?? other.Md5, Crc32c ?? other.Crc32c);
    }

    /// <summary>400 unless every declared hash equals the computed one.</summary>
    public void Verify(ContentHashes actual)
    {
        if (Md5 is not null && Md5 != actual.Md5) throw Mismatch("MD5 hash", Md5, actual.Md5 ?? "");
        if (Crc32c is not null && Crc32c != actual.Crc32c) throw Mismatch("CRC32C", Crc32c, actual.Crc32c);
    }

    private static GcsException Mismatch(string what, string provided, string calculated) =>
        GcsException.Invalid($"Provided {what} \"{provided}\" doesn't match calculated {what} \"{calculated}\".");
}
