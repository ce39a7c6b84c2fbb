using System.Security.Cryptography;

namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>The size and checksums of an object's bytes, as GCS reports them (base64 MD5 and CRC-32C).</summary>
/// <param name="Size">Length in bytes.</param>
/// <param name="Md5">Base64 MD5, or null for a composite object (GCS gives those no MD5).</param>
/// <param name="Crc32c">Base64 of the big-endian CRC-32C.</param>
public sealed record ContentHashes(long Size, string? Md5, string Crc32c)
{
    /// <summary>Reads a stream to its end and hashes it.</summary>
    public static async Task<ContentHashes> OfStreamAsync(Stream stream, CancellationToken cancel)
    {
        var hasher = new ContentHasher();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancel)) > 0) hasher.Append(buffer.AsSpan(0, read));
        return hasher.Finish();
    }

    /// <summary>Hashes a whole file.</summary>
    public static async Task<ContentHashes> OfFileAsync(string path, CancellationToken cancel)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, true);
        return await OfStreamAsync(file, cancel);
    }
}

/// <summary>Computes MD5 and CRC-32C over bytes appended in order.</summary>
public sealed class ContentHasher
{
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private readonly Crc32c _crc = new();
    private long _size;

    /// <summary>Adds bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _md5.AppendData(data);
        _crc.Append(data);
        _size += data.Length;
    }

    /// <summary>The hashes of everything appended; the hasher cannot be used afterwards.</summary>
    public ContentHashes Finish()
    {
        var md5 = Convert.ToBase64String(_md5.GetHashAndReset());
        _md5.Dispose();
        return new ContentHashes(_size, md5, _crc.ToBase64());
    }
}
