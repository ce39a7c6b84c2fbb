using System.Globalization;

namespace CoffeeMesh.Cli.Commands;

/// <summary>Parsing of option values the way the CLI has always taken them.</summary>
public static class OptionValues
{
    /// <summary>A date written yyyy-MM-dd; null text is no date. False for anything else.</summary>
    public static bool TryDate(string? text, out DateOnly? date)
    {
        date = null;
        if (text is null) return true;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return false;
        date = d;
        return true;
    }

    public static DateOnly? Date(string? text) => TryDate(text, out var d) ? d : throw new FormatException($"'{text}' is not a date like 2025-01-31");

    /// <summary>A whole number of zero or more, underscores allowed as digit separators (1_000_000).</summary>
    public static bool TryCount(string? text, out long count)
    {
        count = 0;
        return text is not null && long.TryParse(text.Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture, out count);
    }
}
