namespace CoffeeMesh.Transform.Cleaning;

/// <summary>
/// One string per distinct text within a batch: 10,000 rows name a few dozen products, so the
/// product columns cost a lookup instead of three strings a row. Not thread-safe: one per batch.
/// </summary>
public sealed class TextPool
{
    /// <summary>Past this many distinct values (a batch of unique texts) each value is its own string.</summary>
    private const int MaxEntries = 4096;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public TextPool() => _bySpan = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<char> text)
    {
        if (_bySpan.TryGetValue(text, out var s)) return s;
        s = text.ToString();
        if (_strings.Count < MaxEntries) _strings.Add(s, s);
        return s;
    }
}
