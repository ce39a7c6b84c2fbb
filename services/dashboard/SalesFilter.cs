using System.Globalization;

namespace CoffeeMesh.Dashboard;

/// <summary>
/// What a sales query covers: the dates <see cref="From"/> to <see cref="To"/> (inclusive), and
/// optionally one store (its natural id) and one product category (as the product's version sold
/// named it). <see cref="Parse"/> builds it from a query string and refuses anything else.
/// </summary>
public sealed record SalesFilter(DateOnly From, DateOnly To, int? Store, string? Category)
{
    /// <summary>The longest period one query may cover, in days (two years, a leap day included).</summary>
    public const int MaxDays = 731;

    public const int MaxCategoryLength = 100;

    private static readonly string[] Keys = ["from", "to", "store", "category"];

    /// <summary>Days in the period, both ends included.</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The period of equal length that ends the day before <see cref="From"/>, with the same store and category.</summary>
    public SalesFilter Previous => this with { From = From.AddDays(-Days), To = From.AddDays(-1) };

    /// <summary>date_id (yyyymmdd) of a date, the star schema's smart key.</summary>
    public static int DateId(DateOnly date) => date.Year * 10000 + date.Month * 100 + date.Day;

    /// <summary>
    /// Parses <c>from</c> and <c>to</c> (yyyy-MM-dd, required, at most <see cref="MaxDays"/> days apart
    /// and from &lt;= to), <c>store</c> (a positive integer) and <c>category</c> (1 to 100 printable
    /// characters), plus any of <paramref name="extraKeys"/>, which the caller reads itself.
    /// </summary>
    /// <returns>The filter, or null and the reason (a sentence for the 400 problem body).</returns>
    public static (SalesFilter? Filter, string? Error) Parse(IQueryCollection query, params string[] extraKeys)
    {
        foreach (var (key, values) in query)
        {
            if (!Keys.Contains(key) && !extraKeys.Contains(key))
                return (null, $"unknown parameter '{Trim(key)}'; allowed: {string.Join(", ", Keys.Concat(extraKeys))}");
            if (values.Count != 1) return (null, $"'{key}' must be given once");
        }
        if (!TryDate(query["from"], out var from)) return (null, "'from' is required, as yyyy-MM-dd");
        if (!TryDate(query["to"], out var to)) return (null, "'to' is required, as yyyy-MM-dd");
        if (to < from) return (null, "'from' must not be after 'to'");
        if (to.DayNumber - from.DayNumber + 1 > MaxDays) return (null, $"the period is at most {MaxDays} days");
        if (from.AddDays(-(to.DayNumber - from.DayNumber + 1)).Year < 1900) return (null, "'from' must be after 1900");

        int? store = null;
        if (query.ContainsKey("store"))
        {
            if (!int.TryParse(query["store"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s < 1)
                return (null, "'store' must be a store id (a positive integer)");
            store = s;
        }
        string? category = null;
        if (query.ContainsKey("category"))
        {
            category = query["category"].ToString();
            if (category.Length is 0 or > MaxCategoryLength || category.Any(char.IsControl))
                return (null, $"'category' must be 1 to {MaxCategoryLength} printable characters");
        }
        return (new SalesFilter(from, to, store, category), null);
    }

    private static bool TryDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static string Trim(string key) => key.Length > 40 ? key[..40] + "..." : key;
}
