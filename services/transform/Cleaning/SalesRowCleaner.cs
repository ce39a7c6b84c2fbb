using System.Globalization;
using CoffeeMesh.Contracts;
using C = CoffeeMesh.Contracts.SalesColumns;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>The outcome of cleaning one raw row: a sale, or the reasons it was rejected.</summary>
public readonly record struct CleanResult(SalesRow? Row, IReadOnlyList<RejectionReason>? Reasons);

/// <summary>
/// Applies the cleaning rules to one raw row. Pure, thread-safe and allocation-light: it is the hot
/// path of transform, so fields are read as spans and only a rejection builds text. Every rule
/// that fails adds a reason; a row is accepted only with none.
/// </summary>
public sealed class SalesRowCleaner
{
    private readonly CleaningOptions _options;
    /// <summary>Source store name → our name, and our names to themselves (they are kept as they are).</summary>
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _storeNames;
    private readonly Dictionary<string, string> _renames;
    private readonly char? _quickDateSeparator;
    private readonly bool _quickTime;

    public SalesRowCleaner(CleaningOptions options)
    {
        _options = options;
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var target in options.StoreNames.Values) names.TryAdd(target, target);
        foreach (var (source, target) in options.StoreNames) names[source] = target;
        _storeNames = names.GetAlternateLookup<ReadOnlySpan<char>>();
        _renames = new Dictionary<string, string>(options.StoreNames, StringComparer.OrdinalIgnoreCase);
        // The quick parsers stand in for the first configured format only: a later one may never
        // be reached by a value the first one reads.
        _quickDateSeparator = options.DateFormats.FirstOrDefault() switch { "yyyy/MM/dd" => '/', "yyyy-MM-dd" => '-', _ => null };
        _quickTime = options.TimeFormats.FirstOrDefault() == "HH:mm:ss";
    }

    public CleanResult Clean(RawSalesRow raw, TextPool? texts = null)
    {
        if (raw.ReadError is not null) return new(null, [raw.ReadError]);
        if (raw.Fields.Length != C.All.Count)
            return new(null, [new(Reasons.Missing("columns"), $"expected {C.All.Count} fields, found {raw.Fields.Length}")]);

        List<RejectionReason>? reasons = null;
        var f = raw.Fields;
        var idText = Required(f, 0, ref reasons);
        var dateText = Required(f, 1, ref reasons);
        var timeText = Required(f, 2, ref reasons);
        var qtyText = Required(f, 3, ref reasons);
        var storeIdText = Required(f, 4, ref reasons);
        var locationText = f[5].Span.Trim();
        var productIdText = Required(f, 6, ref reasons);
        var priceText = Required(f, 7, ref reasons);
        var category = Required(f, 8, ref reasons);
        var type = Required(f, 9, ref reasons);
        var detail = Required(f, 10, ref reasons);

        long id = 0; int storeId = 0, productId = 0, qty = 0;
        if (!idText.IsEmpty && !TryParseWholeNumber(idText, out id))
            Reject(ref reasons, Reasons.InvalidTransactionId, $"transaction_id '{Clip(idText)}' is not a positive whole number");
        if (!storeIdText.IsEmpty && !TryParseWholeNumber(storeIdText, out storeId))
            Reject(ref reasons, Reasons.InvalidStoreId, $"store_id '{Clip(storeIdText)}' is not a positive whole number");
        if (!productIdText.IsEmpty && !TryParseWholeNumber(productIdText, out productId))
            Reject(ref reasons, Reasons.InvalidProductId, $"product_id '{Clip(productIdText)}' is not a positive whole number");
        if (!qtyText.IsEmpty && !TryParseWholeNumber(qtyText, out qty))
            Reject(ref reasons, Reasons.InvalidQty, $"transaction_qty '{Clip(qtyText)}' is not a positive whole number");

        DateOnly date = default;
        if (!dateText.IsEmpty && !TryParseDate(dateText, out date))
            Reject(ref reasons, Reasons.InvalidDate, $"transaction_date '{Clip(dateText)}' is not a valid date");
        TimeOnly time = default;
        if (!timeText.IsEmpty && !TryParseTime(timeText, out time))
            Reject(ref reasons, Reasons.InvalidTime, $"transaction_time '{Clip(timeText)}' is not a valid time of day");

        decimal price = 0;
        if (!priceText.IsEmpty)
        {
            if (!TryParsePrice(priceText, out var sourcePrice) || sourcePrice < 0 || sourcePrice > 1_000_000m)
                Reject(ref reasons, Reasons.InvalidPrice, $"unit_price '{Clip(priceText)}' is not a price (a number from 0 to 1000000)");
            else
                price = Math.Round(sourcePrice * _options.PriceFactor, _options.PriceDecimals, MidpointRounding.AwayFromZero);
        }

        var location = ResolveLocation(locationText, storeIdText.IsEmpty ? null : storeId, ref reasons);
        CheckLength(category, 8, ref reasons);
        CheckLength(type, 9, ref reasons);
        CheckLength(detail, 10, ref reasons);

        if (reasons is not null) return new(null, reasons);
        return new(new SalesRow(
            TransactionId: TransactionId(id, date),
            TransactionDate: date,
            TransactionTime: time,
            TransactionQty: qty,
            StoreId: storeId,
            StoreLocation: location!,
            ProductId: productId,
            UnitPrice: price,
            ProductCategory: Text(category, texts),
            ProductType: Text(type, texts),
            ProductDetail: Text(detail, texts),
            TotalAmount: qty * price,
            SourceLine: raw.Line), null);
    }

    private static ReadOnlySpan<char> Required(ReadOnlyMemory<char>[] fields, int index, ref List<RejectionReason>? reasons)
    {
        var value = fields[index].Span.Trim();
        if (value.IsEmpty) Reject(ref reasons, Reasons.Missing(C.All[index]), $"{C.All[index]} is empty");
        return value;
    }

    private static void Reject(ref List<RejectionReason>? reasons, string code, string detail) => (reasons ??= []).Add(new(code, detail));

    private void CheckLength(ReadOnlySpan<char> text, int index, ref List<RejectionReason>? reasons)
    {
        if (text.Length > _options.MaxTextLength)
            Reject(ref reasons, Reasons.TooLong, $"{C.All[index]} is longer than {_options.MaxTextLength} characters");
    }

    /// <summary>"{id}_{yyyyMMdd}": the same id on another day is another transaction.</summary>
    private static string TransactionId(long id, DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, stackalloc char[40], $"{id}_{date.Year:D4}{date.Month:D2}{date.Day:D2}");

    private static string Text(ReadOnlySpan<char> text, TextPool? texts) => texts?.Get(text) ?? text.ToString();

    private bool TryParseDate(ReadOnlySpan<char> text, out DateOnly date) =>
        (_quickDateSeparator is { } separator && FastParse.TryDate(text, separator, out date))
        || DateOnly.TryParseExact(text, _options.DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private bool TryParseTime(ReadOnlySpan<char> text, out TimeOnly time) =>
        (_quickTime && FastParse.TryTime(text, out time))
        || TimeOnly.TryParseExact(text, _options.TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    private static bool TryParsePrice(ReadOnlySpan<char> text, out decimal price) =>
        FastParse.TryDecimal(text, out price)
        || decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out price);

    /// <summary>
    /// Renames the store (Astoria → West Campus...). An empty location is filled from the known store
    /// id; a location that contradicts a known store id is rejected rather than guessed at.
    /// </summary>
    private string? ResolveLocation(ReadOnlySpan<char> location, int? storeId, ref List<RejectionReason>? reasons)
    {
        string? known = storeId is int sid && _options.KnownStores.TryGetValue(sid, out var k) ? k : null;
        if (location.IsEmpty)
        {
            if (known is null)
            {
                Reject(ref reasons, Reasons.Missing(C.StoreLocation), "store_location is empty and the store id is not a known store");
                return null;
            }
            location = known;
        }
        if (!_storeNames.TryGetValue(location, out var target))
        {
            Reject(ref reasons, Reasons.UnknownStore, $"store_location '{Clip(location)}' is not a known store");
            return null;
        }
        if (known is not null && _renames.TryGetValue(known, out var knownTarget) && knownTarget != target)
        {
            Reject(ref reasons, Reasons.StoreMismatch, $"store_location '{Clip(location)}' contradicts store_id {storeId} ({known})");
            return null;
        }
        return target;
    }

    /// <summary>Ids and quantities arrive as floats ("12.0"): accept only whole, positive values.</summary>
    internal static bool TryParseWholeNumber(ReadOnlySpan<char> text, out int value)
    {
        value = TryParseWholeNumber(text, out long v) && v <= int.MaxValue ? (int)v : 0;
        return value > 0;
    }

    internal static bool TryParseWholeNumber(ReadOnlySpan<char> text, out long value)
    {
        if (FastParse.TryWholeNumber(text, out value)) return value > 0;
        value = 0;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)) return false;
        if (d != decimal.Truncate(d) || d <= 0 || d > long.MaxValue) return false;
        value = (long)d;
        return true;
    }

    private static string Clip(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : string.Concat(s[..40], "…");
}
