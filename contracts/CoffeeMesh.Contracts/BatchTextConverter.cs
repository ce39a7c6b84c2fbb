using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoffeeMesh.Contracts;

/// <summary>
/// A batch's text (hundreds of kilobytes of lines and tabs) travels as
/// <c>{"length": &lt;chars&gt;, "utf8": ["&lt;base64&gt;", ...]}</c>: its UTF-8 bytes in base64
/// segments. As a JSON string it is full of escapes (\n, \t, \u0027) that send System.Text.Json's
/// reader byte by byte through the whole string, and MassTransit reads each message twice (the
/// envelope, then the message): base64 segments are several times cheaper to write and read
/// (docs/performance.md), for a third more bytes. Segments keep every buffer small: written whole, the text's
/// escape buffer was six times its length, and the shared array pool kept them.
/// A plain JSON string, as publishers before this format wrote, still reads.
/// </summary>
public sealed class BatchTextConverter : JsonConverter<string>
{
    private const int SegmentChars = 16 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return reader.GetString();
        int? length = null;
        StringBuilder? text = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "length") length = reader.GetInt32();
            else if (name == "utf8") text = ReadSegments(ref reader, length ?? 0);
            else reader.Skip();
        }
        if (text is null || length is null || text.Length != length)
            throw new JsonException($"batch text: expected {length?.ToString() ?? "a length"} characters, found {text?.Length.ToString() ?? "no utf8 segments"}");
        return text.ToString();
    }

    private static StringBuilder ReadSegments(ref Utf8JsonReader reader, int capacity)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("batch text: utf8 must be an array of base64 strings");
        var text = new StringBuilder(capacity);
        var decoder = StrictUtf8.GetDecoder();
        var chars = ArrayPool<char>.Shared.Rent(SegmentChars * 2);
        byte[]? bytes = null;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                ReadOnlySpan<byte> decoded;
                if (!reader.ValueIsEscaped && !reader.HasValueSequence)
                {
                    var base64 = reader.ValueSpan;
                    var need = Base64.GetMaxDecodedFromUtf8Length(base64.Length);
                    if (bytes is null || bytes.Length < need)
                    {
                        if (bytes is not null) ArrayPool<byte>.Shared.Return(bytes);
                        bytes = ArrayPool<byte>.Shared.Rent(need);
                    }
                    if (Base64.DecodeFromUtf8(base64, bytes, out _, out var written) != OperationStatus.Done)
                        throw new JsonException("batch text: a segment is not base64");
                    decoded = bytes.AsSpan(0, written);
                }
                else decoded = reader.GetBytesFromBase64();
                Append(text, decoder, decoded, chars, flush: false);
            }
            if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("batch text: utf8 must be an array of base64 strings");
            Append(text, decoder, [], chars, flush: true);
            return text;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            if (bytes is not null) ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static void Append(StringBuilder text, Decoder decoder, ReadOnlySpan<byte> bytes, char[] chars, bool flush)
    {
        // The decoder keeps a character split between two segments for the next one.
        bool done;
        do
        {
            decoder.Convert(bytes, chars, flush, out var used, out var produced, out done);
            text.Append(chars, 0, produced);
            bytes = bytes[used..];
        } while (bytes.Length > 0 || (flush && !done));
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("length", value.Length);
        writer.WriteStartArray("utf8");
        var bytes = ArrayPool<byte>.Shared.Rent(StrictUtf8.GetMaxByteCount(SegmentChars));
        try
        {
            for (var rest = value.AsSpan(); rest.Length > 0;)
            {
                var length = Math.Min(SegmentChars, rest.Length);
                // Never split a surrogate pair between two segments.
                if (length < rest.Length && char.IsHighSurrogate(rest[length - 1])) length--;
                var written = StrictUtf8.GetBytes(rest[..length], bytes);
                writer.WriteBase64StringValue(bytes.AsSpan(0, written));
                rest = rest[length..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
