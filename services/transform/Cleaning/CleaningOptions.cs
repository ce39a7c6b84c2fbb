namespace CoffeeMesh.Transform.Cleaning;

/// <summary>The old scripts' cleaning rules, made explicit. Bound from configuration section <c>Cleaning</c>.</summary>
public sealed class CleaningOptions
{
    /// <summary>unit_price is multiplied by this (a currency conversion), then rounded half away from zero.</summary>
    public decimal PriceFactor { get; set; } = 15m;
    public int PriceDecimals { get; set; } = 2;

    /// <summary>Accepted transaction_date formats, tried in order.</summary>
    public string[] DateFormats { get; set; } = ["yyyy/MM/dd", "yyyy-MM-dd", "M/d/yyyy"];
    public string[] TimeFormats { get; set; } = ["HH:mm:ss", "H:mm:ss", "HH:mm", "H:mm"];

    /// <summary>Source store names and what we call them. Names already in the target form are kept.</summary>
    public Dictionary<string, string> StoreNames { get; set; } = new()
    {
        ["Hell's Kitchen"] = "East Campus",
        ["Astoria"] = "West Campus",
        ["Lower Manhattan"] = "Main Campus",
    };

    /// <summary>
    /// Known stores by id (source names). A row with an empty store_location takes its store's
    /// name from here; a row whose location contradicts its known store id is rejected.
    /// </summary>
    public Dictionary<int, string> KnownStores { get; set; } = new()
    {
        [3] = "Astoria",
        [5] = "Lower Manhattan",
        [8] = "Hell's Kitchen",
    };

    /// <summary>Longest text accepted for the product columns (the width of the database columns).</summary>
    public int MaxTextLength { get; set; } = 100;
}
