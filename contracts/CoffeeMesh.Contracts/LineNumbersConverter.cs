using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoffeeMesh.Contracts;

/// <summary>
/// A batch's source line numbers travel as runs of consecutive lines, <c>{"runs": [first, count, ...]}</c>:
/// a batch's lines are consecutive but for blank lines, so 10,000 numbers become a few pairs. As an
/// array they were the costliest JSON left in transform (number parsing, twice per message in
/// MassTransit; docs/performance.md) and 80 KB a message. A plain array, as publishers before this format wrote, still reads.
/// </summary>
public sealed class LineNumbersConverter : JsonConverter<long[]>
{
    /// <summary>Far above any batch (ingest caps them at 10,000 records): a bound on what a message can make us allocate.</summary>
    public const int MaxLines = 1_000_000;

    public override long[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.StartArray) return ReadPlain(ref reader);
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("line numbers: expected an object with runs or an array");
        long[]? lines = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "runs") lines = ReadRuns(ref reader);
            else reader.Skip();
        }
        return lines ?? throw new JsonException("line numbers: no runs");
    }

    private static long[] ReadRuns(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("line numbers: runs must be an array of numbers");
        var runs = new List<(long First, int Count)>();
        var total = 0L;
        while (reader.Read() && reader.TokenType == JsonTokenType.Number)
        {
            var first = reader.GetInt64();
            if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var count) || count <= 0)
                throw new JsonException("line numbers: every run is a first line and a positive count");
            total += count;
            if (total > MaxLines) throw new JsonException($"line numbers: more than {MaxLines} lines");
            runs.Add((first, count));
        }
        if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("line numbers: runs must be an array of numbers");
        var lines = new long[total];
        var i = 0;
        foreach (var (first, count) in runs)
            for (var n = 0; n < count; n++) lines[i++] = first + n;
        return lines;
    }

    private static long[] ReadPlain(ref Utf8JsonReader reader)
    {
        var lines = new List<long>();
        while (reader.Read() && reader.TokenType == JsonTokenType.Number)
        {
            if (lines.Count == MaxLines) throw new JsonException($"line numbers: more than {MaxLines} lines");
            lines.Add(reader.GetInt64());
        }
        if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("line numbers: expected an array of numbers");
        return [.. lines];
    }

    public override void Write(Utf8JsonWriter writer, long[] value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("runs");
        for (var i = 0; i < value.Length;)
        {
            var count = 1;
            while (i + count < value.Length && value[i + count] == value[i] + count) count++;
            writer.WriteNumberValue(value[i]);
            writer.WriteNumberValue(count);
            i += count;
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
