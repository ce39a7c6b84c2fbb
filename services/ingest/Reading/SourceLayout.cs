using CoffeeMesh.Contracts;

namespace CoffeeMesh.Ingest.Reading;

/// <summary>
/// How a source file is laid out (a <see cref="SourceFormat"/>, as raw batches carry it): read from
/// its header, and saved with the watermark so reading can resume mid-file, where there is no header.
/// </summary>
public static class SourceLayout
{
    /// <summary>Maps header names (any order, any case, surrounding spaces ignored) to the canonical columns.</summary>
    public static SourceFormat FromHeader(char separator, IReadOnlyList<string> headers)
    {
        var names = headers.Select(h => h.Trim().TrimStart('\uFEFF').ToLowerInvariant()).ToList();
        var map = new int[SalesColumns.All.Count];
        var missing = new List<string>();
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = names.IndexOf(SalesColumns.All[i]);
            if (map[i] < 0) missing.Add(SalesColumns.All[i]);
        }
        if (missing.Count > 0)
            throw new SourceFormatException($"missing required column{(missing.Count > 1 ? "s" : "")}: {string.Join(", ", missing)} " +
                                            $"(header read: {Clip(string.Join(separator, headers))})");
        return new SourceFormat(separator, map, headers.Count);
    }

    public static string Serialize(this SourceFormat format) => $"{format.FieldCount}:{string.Join(',', format.ColumnMap)}";

    public static SourceFormat Deserialize(char separator, string text)
    {
        var parts = text.Split(':');
        return new SourceFormat(separator, parts[1].Split(',').Select(int.Parse).ToArray(), int.Parse(parts[0]));
    }

    private static string Clip(string s) => s.Length <= 200 ? s : s[..200] + "…";
}

/// <summary>The source as a whole cannot be ingested (empty, binary, wrong header...).</summary>
public sealed class SourceFormatException(string message) : Exception(message);
