using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoffeeMesh.Contracts;

/// <summary>
/// Writes a batch's text (hundreds of kilobytes, full of tabs and line breaks that JSON escapes) in
/// 8K-character segments. Written whole, System.Text.Json rents an escape buffer six times the
/// text's length; the shared array pool kept up to 60 MB of them per service (dotnet-gcdump).
/// The JSON on the wire is the same string either way.
/// </summary>
public sealed class BatchTextConverter : JsonConverter<string>
{
    private const int Segment = 8192;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        if (value.Length <= Segment)
        {
            writer.WriteStringValue(value);
            return;
        }
        var rest = value.AsSpan();
        while (rest.Length > Segment)
        {
            // Never split a surrogate pair between two segments.
            var length = char.IsHighSurrogate(rest[Segment - 1]) ? Segment - 1 : Segment;
            writer.WriteStringValueSegment(rest[..length], isFinalSegment: false);
            rest = rest[length..];
        }
        writer.WriteStringValueSegment(rest, isFinalSegment: true);
    }
}
