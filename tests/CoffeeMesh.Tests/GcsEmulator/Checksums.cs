using System.Security.Cryptography;

namespace CoffeeMesh.Tests.GcsEmulator;

/// <summary>
/// Expected hashes computed independently of the emulator: MD5 from the BCL, CRC-32C bit by bit from its
/// definition (reflected polynomial 0x82F63B78), as base64 of the big-endian value like GCS.
/// </summary>
public static class Checksums
{
    public static string Md5(byte[] data) => Convert.ToBase64String(MD5.HashData(data));

    public static string Crc32c(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        crc = ~crc;
        return Convert.ToBase64String([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
