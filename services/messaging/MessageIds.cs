using System.Security.Cryptography;
using System.Text;

namespace CoffeeMesh.Messaging;

/// <summary>
/// Deterministic message ids: the same logical message (say, batch 7 of ingestion X after transform)
/// always gets the same id, so a re-publish after a crash is recognised by the consumer's inbox.
/// </summary>
public static class MessageIds
{
    public static Guid For(string kind, Guid ingestionId, int sequence) => For($"{kind}/{ingestionId:N}/{sequence}");

    public static Guid For(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        // RFC 4122 version 8 (custom) with the variant bits set.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
