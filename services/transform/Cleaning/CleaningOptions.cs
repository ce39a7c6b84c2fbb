using CoffeeMesh.Contracts;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>The old scripts' cleaning rules, made explicit. Bound from configuration section <c>Cleaning</c>.</summary>
public sealed class CleaningOptions
{
    /// <summary>unit_price is multiplied by this (a currency conversion), then rounded half away from zero.</summary>
    public decimal PriceFactor { get; set; } = 15m;
    public int PriceDecimals { get; set; } = 2;

    /// <summary>
    /// How a/b/year dates are read in a file whose rows do not decide it (ingest decides per file and
    /// says in the summary that the order was assumed). Dates in other shapes: <see cref="SourceDates"/>.
    /// </summary>
    public DateOrder DateOrder { get; set; } = DateOrder.MonthFirst;

    /// <summary>A two-digit year is the latest year with those last digits that is not after this one.</summary>
    public int TwoDigitYearMax { get; set; } = 2049;

    /// <summary>Accepted transaction_time formats, tried in order.</summary>
    public string[] TimeFormats { get; set; } = ["HH:mm:ss", "H:mm:ss", "HH:mm", "H:mm"];

    /// <summary>
    /// Values that mean "missing", as upstream tools write them, matched after trimming and in any
    /// case; an empty value is always missing.
    /// </summary>
    public string[] MissingValues { get; set; } = ["NULL", "\\N", "NaN", "None", "N/A", "NA", "nil", "#N/A"];

    /// <summary>
    /// The store catalogue: every store id a sale may name, with the name the export uses and ours.
    /// A row naming another id is quarantined (unknown_store_id); an empty location is filled in.
    /// </summary>
    public List<StoreEntry> Stores { get; set; } =
    [
        new() { Id = 3, SourceName = "Astoria", Name = "West Campus" },
        new() { Id = 5, SourceName = "Lower Manhattan", Name = "Main Campus" },
        new() { Id = 8, SourceName = "Hell's Kitchen", Name = "East Campus" },
    ];

    /// <summary>Longest text accepted for the text columns, in characters as MySQL's utf8mb4 VARCHAR(100) counts them (code points).</summary>
    public int MaxTextLength { get; set; } = 100;
}

/// <summary>One store of the catalogue.</summary>
public sealed class StoreEntry
{
    public int Id { get; set; }
    /// <summary>What the raw export calls it (Astoria).</summary>
    public string SourceName { get; set; } = "";
    /// <summary>What we call it (West Campus).</summary>
    public string Name { get; set; } = "";
}
