namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>
/// Orders object names as GCS lists them: by their UTF-8 bytes, which is Unicode code point order.
/// Ordinal UTF-16 order differs only where a surrogate pair meets a character in U+E000..U+FFFF.
/// </summary>
public sealed class ObjectNameComparer : IComparer<string>
{
    public static readonly ObjectNameComparer Instance = new();

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i]) return Fix(x[i]).CompareTo(Fix(y[i]));
        }
        return x.Length.CompareTo(y.Length);
    }

    // Surrogates (D800..DFFF) encode code points above FFFF, so they must sort after E000..FFFF.
    private static int Fix(char c) => c >= 0xD800 && c <= 0xDFFF ? c + 0x2000 : c >= 0xE000 ? c - 0x800 : c;
}
