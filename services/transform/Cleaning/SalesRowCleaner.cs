using System.Globalization;
using CoffeeMesh.Contracts;
using C = CoffeeMesh.Contracts.SalesColumns;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>The outcome of cleaning one raw row: a sale, or the reasons it was rejected.</summary>
public readonly record struct CleanResult(SalesRow? Row, IReadOnlyList<RejectionReason>? Reasons);

/// <summary>
/// Applies the cleaning rules to one raw row. Pure and allocation-light: it is the hot path of
/// transform. Every rule that fails adds a reason; a row is accepted only with none.
/// </summary>
public sealed class SalesRowCleaner
{
    private readonly CleaningOptions _options;
    private readonly Dictionary<string, string> _storeNames;
    private readonly HashSet<string> _targetNames;

    public SalesRowCleaner(CleaningOptions options)
    {
        _options = options;
        _storeNames = new Dictionary<string, string>(options.StoreNames, StringComparer.OrdinalIgnoreCase);
        _targetNames = new HashSet<string>(options.StoreNames.Values, StringComparer.OrdinalIgnoreCase);
    }

    public CleanResult Clean(RawSalesRow raw)
    {
        if (raw.ReadError is not null) return new(null, [raw.ReadError]);
        if (raw.Fields.Length != C.All.Count)
            return new(null, [new(Reasons.Missing("columns"), $"expected {C.All.Count} fields, found {raw.Fields.Length}")]);

        List<RejectionReason>? reasons = null;
        void Reject(string code, string detail) => (reasons ??= []).Add(new(code, detail));

        var f = raw.Fields;
        string? Required(int index)
        {
            var value = f[index]?.Trim();
            if (string.IsNullOrEmpty(value)) { Reject(Reasons.Missing(C.All[index]), $"{C.All[index]} is empty"); return null; }
            return value;
        }

        var idText = Required(0);
        var dateText = Required(1);
        var timeText = Required(2);
        var qtyText = Required(3);
        var storeIdText = Required(4);
        var locationText = f[5]?.Trim();
        var productIdText = Required(6);
        var priceText = Required(7);
        var category = Required(8);
        var type = Required(9);
        var detail = Required(10);

        long id = 0; int storeId = 0, productId = 0, qty = 0;
        if (idText is not null && !TryParseWholeNumber(idText, out id))
            Reject(Reasons.InvalidTransactionId, $"transaction_id '{Clip(idText)}' is not a positive whole number");
        if (storeIdText is not null && !TryParseWholeNumber(storeIdText, out storeId))
            Reject(Reasons.InvalidStoreId, $"store_id '{Clip(storeIdText)}' is not a positive whole number");
        if (productIdText is not null && !TryParseWholeNumber(productIdText, out productId))
            Reject(Reasons.InvalidProductId, $"product_id '{Clip(productIdText)}' is not a positive whole number");
        if (qtyText is not null && !TryParseWholeNumber(qtyText, out qty))
            Reject(Reasons.InvalidQty, $"transaction_qty '{Clip(qtyText)}' is not a positive whole number");

        DateOnly date = default;
        if (dateText is not null && !DateOnly.TryParseExact(dateText, _options.DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            Reject(Reasons.InvalidDate, $"transaction_date '{Clip(dateText)}' is not a valid date");
        TimeOnly time = default;
        if (timeText is not null && !TimeOnly.TryParseExact(timeText, _options.TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
            Reject(Reasons.InvalidTime, $"transaction_time '{Clip(timeText)}' is not a valid time of day");

        decimal price = 0;
        if (priceText is not null)
        {
            if (!decimal.TryParse(priceText, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sourcePrice)
                || sourcePrice < 0 || sourcePrice > 1_000_000m)
                Reject(Reasons.InvalidPrice, $"unit_price '{Clip(priceText)}' is not a price (a number from 0 to 1000000)");
            else
                price = Math.Round(sourcePrice * _options.PriceFactor, _options.PriceDecimals, MidpointRounding.AwayFromZero);
        }

        var location = ResolveLocation(locationText, storeIdText is null ? null : storeId, Reject);
        foreach (var (text, index) in new[] { (category, 8), (type, 9), (detail, 10) })
            if (text is not null && text.Length > _options.MaxTextLength)
                Reject(Reasons.TooLong, $"{C.All[index]} is longer than {_options.MaxTextLength} characters");

        if (reasons is not null) return new(null, reasons);
        return new(new SalesRow(
            TransactionId: $"{id}_{date:yyyyMMdd}",
            TransactionDate: date,
            TransactionTime: time,
            TransactionQty: qty,
            StoreId: storeId,
            StoreLocation: location!,
            ProductId: productId,
            UnitPrice: price,
            ProductCategory: category!,
            ProductType: type!,
            ProductDetail: detail!,
            TotalAmount: qty * price,
            SourceLine: raw.Line), null);
    }

    /// <summary>
    /// Renames the store (Astoria → West Campus...). An empty location is filled from the known store
    /// id; a location that contradicts a known store id is rejected rather than guessed at.
    /// </summary>
    private string? ResolveLocation(string? location, int? storeId, Action<string, string> reject)
    {
        string? known = storeId is int sid && _options.KnownStores.TryGetValue(sid, out var k) ? k : null;
        if (string.IsNullOrEmpty(location))
        {
            if (known is null)
            {
                reject(Reasons.Missing(C.StoreLocation), "store_location is empty and the store id is not a known store");
                return null;
            }
            location = known;
        }
        string target;
        if (_storeNames.TryGetValue(location, out var mapped)) target = mapped;
        else if (_targetNames.Contains(location)) target = _options.StoreNames.Values.First(v => v.Equals(location, StringComparison.OrdinalIgnoreCase));
        else
        {
            reject(Reasons.UnknownStore, $"store_location '{Clip(location)}' is not a known store");
            return null;
        }
        if (known is not null && _storeNames.TryGetValue(known, out var knownTarget) && knownTarget != target)
        {
            reject(Reasons.StoreMismatch, $"store_location '{Clip(location)}' contradicts store_id {storeId} ({known})");
            return null;
        }
        return target;
    }

    /// <summary>Ids and quantities arrive as floats ("12.0"): accept only whole, positive values.</summary>
    internal static bool TryParseWholeNumber(string text, out int value)
    {
        value = TryParseWholeNumber(text, out long v) && v <= int.MaxValue ? (int)v : 0;
        return value > 0;
    }

    internal static bool TryParseWholeNumber(string text, out long value)
    {
        value = 0;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)) return false;
        if (d != decimal.Truncate(d) || d <= 0 || d > long.MaxValue) return false;
        value = (long)d;
        return true;
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
