using System.Buffers.Binary;
using System.Numerics;

namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>
/// CRC-32C (Castagnoli), as GCS reports it in <c>crc32c</c> and <c>x-goog-hash</c>: the base64 of the
/// checksum's four bytes in big-endian order. BitOperations.Crc32C uses the CPU's instruction when there is one.
/// </summary>
public sealed class Crc32c
{
    private uint _state = uint.MaxValue;

    /// <summary>Adds bytes to the checksum.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _state;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        _state = crc;
    }

    /// <summary>The checksum of everything appended so far.</summary>
    public uint Value => ~_state;

    /// <summary>The checksum as GCS writes it: base64 of its big-endian bytes (8 characters).</summary>
    public string ToBase64()
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Value);
        return Convert.ToBase64String(bytes);
    }
}
