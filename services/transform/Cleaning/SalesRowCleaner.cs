using System.Buffers;
using System.Globalization;
using System.Text;
using CoffeeMesh.Contracts;
using C = CoffeeMesh.Contracts.SalesColumns;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>The outcome of cleaning one raw row: a sale, or the reasons it was rejected.</summary>
public readonly record struct CleanResult(SalesRow? Row, IReadOnlyList<RejectionReason>? Reasons);

/// <summary>
/// Applies the cleaning rules to one raw row, read with its file's <see cref="SourceFormat"/> (the
/// order of day and month, the decimal mark, raw or processed). Pure, thread-safe and
/// allocation-light: it is the hot path of transform, so fields are read as spans and only a
/// rejection builds text. Every rule that fails adds a reason; a row is accepted only with none.
/// </summary>
public sealed class SalesRowCleaner
{
    /// <summary>The raw export's layout: ';', the canonical column order.</summary>
    public static readonly SourceFormat RawExport = new(';', Enumerable.Range(0, C.All.Count).ToArray(), C.All.Count);

    private readonly CleaningOptions _options;
    private readonly Dictionary<int, StoreEntry> _stores;
    /// <summary>Every store name, source and ours, in any case → its catalogue entry.</summary>
    private readonly Dictionary<string, StoreEntry>.AlternateLookup<ReadOnlySpan<char>> _storesByName;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _missing;
    private readonly int _longestMissing;
    private readonly bool _quickTime;

    public SalesRowCleaner(CleaningOptions options)
    {
        _options = options;
        _stores = options.Stores.ToDictionary(s => s.Id);
        var names = new Dictionary<string, StoreEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in options.Stores)
        {
            names.TryAdd(s.SourceName, s);
            names.TryAdd(s.Name, s);
        }
        _storesByName = names.GetAlternateLookup<ReadOnlySpan<char>>();
        var missing = new HashSet<string>(options.MissingValues.Select(v => v.Trim()).Where(v => v.Length > 0), StringComparer.OrdinalIgnoreCase);
        _missing = missing.GetAlternateLookup<ReadOnlySpan<char>>();
        _longestMissing = missing.Count == 0 ? 0 : missing.Max(v => v.Length);
        _quickTime = options.TimeFormats.FirstOrDefault() == "HH:mm:ss";
    }

    public CleanResult Clean(RawSalesRow raw, TextPool? texts = null) => Clean(raw, RawExport, texts);

    public CleanResult Clean(RawSalesRow raw, SourceFormat format, TextPool? texts = null)
    {
        if (raw.ReadError is not null) return new(null, [raw.ReadError]);
        if (raw.Fields.Length != C.All.Count)
            return new(null, [new(Reasons.Missing("columns"), $"expected {C.All.Count} fields, found {raw.Fields.Length}")]);

        List<RejectionReason>? reasons = null;
        var f = raw.Fields;
        var idText = Value(f, 0);
        if (idText.IsEmpty && IsEmptyRow(f)) return new(null, [new(Reasons.EmptyRow, "every field of the row is empty")]);
        Required(idText, 0, ref reasons);
        var dateText = Required(f, 1, ref reasons);
        var timeText = Required(f, 2, ref reasons);
        var qtyText = Required(f, 3, ref reasons);
        var storeIdText = Required(f, 4, ref reasons);
        var locationText = Value(f, 5);
        var productIdText = Required(f, 6, ref reasons);
        var priceText = Required(f, 7, ref reasons);
        var category = Required(f, 8, ref reasons);
        var type = Required(f, 9, ref reasons);
        var detail = Required(f, 10, ref reasons);
        var mark = format.DecimalMark;
        var processed = format.Shape == SourceShape.Processed;

        long id = 0; int storeId = 0, productId = 0, qty = 0;
        long suffix = 0;
        if (!idText.IsEmpty && !(processed ? TryParseProcessedId(idText, out id, out suffix) : TryParseWholeNumber(idText, out id, mark)))
            Reject(ref reasons, Reasons.InvalidTransactionId, processed
                ? $"transaction_id '{Clip(idText)}' is not '<number>_<yyyyMMdd>' as a processed file writes it"
                : $"transaction_id '{Clip(idText)}' is not a positive whole number");
        if (!storeIdText.IsEmpty && !TryParseWholeNumber(storeIdText, out storeId, mark))
            Reject(ref reasons, Reasons.InvalidStoreId, $"store_id '{Clip(storeIdText)}' is not a positive whole number");
        if (!productIdText.IsEmpty && !TryParseWholeNumber(productIdText, out productId, mark))
            Reject(ref reasons, Reasons.InvalidProductId, $"product_id '{Clip(productIdText)}' is not a positive whole number");
        if (!qtyText.IsEmpty)
        {
            if (!TryParseWholeNumber(qtyText, out long longQty, mark))
                Reject(ref reasons, Reasons.InvalidQty, $"transaction_qty '{Clip(qtyText)}' is not a positive whole number");
            else if (longQty > StoreLimits.MaxQuantity)
                Reject(ref reasons, Reasons.QtyOutOfRange, $"transaction_qty {longQty} is above {StoreLimits.MaxQuantity}, the largest the stores hold (INT)");
            else qty = (int)longQty;
        }

        DateOnly date = default;
        if (!dateText.IsEmpty)
        {
            var reading = FastParse.TryDate(dateText, '/', out date) || FastParse.TryDate(dateText, '-', out date)
                ? DateReading.Valid
                : SourceDates.TryRead(dateText, format.DateOrder, _options.TwoDigitYearMax, out date);
            if (reading == DateReading.ContradictsOrder)
                Reject(ref reasons, Reasons.DateOrderConflict,
                    $"transaction_date '{Clip(dateText)}' is a date only {(format.DateOrder == DateOrder.DayFirst ? "month" : "day")} first, and this file's dates are {(format.DateOrder == DateOrder.DayFirst ? "day" : "month")} first");
            else if (reading == DateReading.Invalid)
                Reject(ref reasons, Reasons.InvalidDate, $"transaction_date '{Clip(dateText)}' is not a valid date");
            else if (processed && suffix != 0 && suffix != date.Year * 10000 + date.Month * 100 + date.Day)
                Reject(ref reasons, Reasons.InvalidTransactionId, $"transaction_id '{Clip(idText)}' names another day than transaction_date {date:yyyy-MM-dd}");
        }
        TimeOnly time = default;
        if (!timeText.IsEmpty && !TryParseTime(timeText, out time))
            Reject(ref reasons, Reasons.InvalidTime, $"transaction_time '{Clip(timeText)}' is not a valid time of day");

        decimal price = 0;
        if (!priceText.IsEmpty)
        {
            if (!TryParsePrice(priceText, mark, out var sourcePrice) || sourcePrice < 0 || sourcePrice > 1_000_000m)
                Reject(ref reasons, Reasons.InvalidPrice, $"unit_price '{Clip(priceText)}' is not a price (a number from 0 to 1000000)");
            else
                price = Math.Round(processed ? sourcePrice : sourcePrice * _options.PriceFactor, _options.PriceDecimals, MidpointRounding.AwayFromZero);
            if (price > StoreLimits.MaxPrice)
                Reject(ref reasons, Reasons.PriceOutOfRange,
                    $"unit_price {price.ToString(CultureInfo.InvariantCulture)} is above {StoreLimits.MaxPrice.ToString("N2", CultureInfo.InvariantCulture)}, the largest the stores hold (DECIMAL(12,2))");
        }
        var total = qty * price;
        if (total > StoreLimits.MaxAmount)
            Reject(ref reasons, Reasons.TotalOutOfRange,
                $"total_amount {total.ToString("N2", CultureInfo.InvariantCulture)} ({qty} × {price.ToString(CultureInfo.InvariantCulture)}) is above {StoreLimits.MaxAmount.ToString("N2", CultureInfo.InvariantCulture)}, the largest the stores hold (DECIMAL(14,2))");

        var store = ResolveStore(locationText, storeIdText.IsEmpty ? null : storeId, ref reasons);
        var categoryText = CheckText(category, 8, ref reasons);
        var typeText = CheckText(type, 9, ref reasons);
        var detailText = CheckText(detail, 10, ref reasons);

        if (reasons is not null) return new(null, reasons);
        return new(new SalesRow(
            TransactionId: TransactionId(id, date),
            TransactionDate: date,
            TransactionTime: time,
            TransactionQty: qty,
            StoreId: storeId,
            StoreLocation: store!.Name,
            ProductId: productId,
            UnitPrice: price,
            ProductCategory: Text(categoryText, texts),
            ProductType: Text(typeText, texts),
            ProductDetail: Text(detailText, texts),
            TotalAmount: total,
            SourceLine: raw.Line), null);
    }

    /// <summary>A field trimmed, and empty when it is one of the missing-value markers (NULL, \N, NaN, ...).</summary>
    private ReadOnlySpan<char> Value(ReadOnlyMemory<char>[] fields, int index)
    {
        var value = fields[index].Span.Trim();
        // Markers are short and never start with a digit: most values skip the lookup.
        if (value.Length > 0 && value.Length <= _longestMissing && !char.IsAsciiDigit(value[0]) && _missing.Contains(value)) return [];
        return value;
    }

    private ReadOnlySpan<char> Required(ReadOnlyMemory<char>[] fields, int index, ref List<RejectionReason>? reasons) =>
        Required(Value(fields, index), index, ref reasons);

    private static ReadOnlySpan<char> Required(ReadOnlySpan<char> value, int index, ref List<RejectionReason>? reasons)
    {
        if (value.IsEmpty) Reject(ref reasons, Reasons.Missing(C.All[index]), $"{C.All[index]} is empty");
        return value;
    }

    private bool IsEmptyRow(ReadOnlyMemory<char>[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
            if (!Value(fields, i).IsEmpty) return false;
        return true;
    }

    private static void Reject(ref List<RejectionReason>? reasons, string code, string detail) => (reasons ??= []).Add(new(code, detail));

    private static readonly SearchValues<char> LineBreaksAndTabs = SearchValues.Create("\r\n\t");
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        Enumerable.Range(0, 32).Where(c => c is not ('\r' or '\n' or '\t')).Select(c => (char)c).Append('\u007F').ToArray());

    /// <summary>
    /// A text column as it is stored: a line break or tab inside it (a spreadsheet's Alt+Enter)
    /// becomes one space; any other control character, NUL included, rejects the row; so does a
    /// text longer than the stores' columns, counted in code points as MySQL counts utf8mb4.
    /// </summary>
    private ReadOnlySpan<char> CheckText(ReadOnlySpan<char> text, int index, ref List<RejectionReason>? reasons)
    {
        if (text.ContainsAny(ControlCharacters))
        {
            var at = text.IndexOfAny(ControlCharacters);
            Reject(ref reasons, Reasons.ControlCharacter, $"{C.All[index]} holds the control character U+{(int)text[at]:X4} at position {at + 1}");
            return text;
        }
        if (text.ContainsAny(LineBreaksAndTabs)) text = JoinLines(text);
        if (text.Length > _options.MaxTextLength && CodePoints(text) > _options.MaxTextLength)
            Reject(ref reasons, Reasons.TooLong, $"{C.All[index]} is longer than {_options.MaxTextLength} characters");
        return text;
    }

    /// <summary>Each line break or tab, with the spaces around it, becomes one space.</summary>
    private static string JoinLines(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('\r' or '\n' or '\t'))
            {
                sb.Append(text[i]);
                continue;
            }
            while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
            sb.Append(' ');
            while (i + 1 < text.Length && text[i + 1] is ' ' or '\r' or '\n' or '\t') i++;
        }
        return sb.ToString().Trim();
    }

    private static int CodePoints(ReadOnlySpan<char> text)
    {
        var n = 0;
        foreach (var _ in text.EnumerateRunes()) n++;
        return n;
    }

    /// <summary>"{id}_{yyyyMMdd}": the same id on another day is another transaction.</summary>
    private static string TransactionId(long id, DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, stackalloc char[40], $"{id}_{date.Year:D4}{date.Month:D2}{date.Day:D2}");

    private static string Text(ReadOnlySpan<char> text, TextPool? texts) => texts?.Get(text) ?? text.ToString();

    private bool TryParseTime(ReadOnlySpan<char> text, out TimeOnly time) =>
        (_quickTime && FastParse.TryTime(text, out time))
        || TimeOnly.TryParseExact(text, _options.TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    private static readonly NumberFormatInfo DecimalComma = new() { NumberDecimalSeparator = "," };

    private static bool TryParsePrice(ReadOnlySpan<char> text, char mark, out decimal price) =>
        FastParse.TryDecimal(text, out price, mark)
        || decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, mark == ',' ? DecimalComma : CultureInfo.InvariantCulture, out price);

    /// <summary>
    /// The store of the catalogue the row names by id (unknown_store_id when it names none). An
    /// empty location is filled from the catalogue; a location that names another store (or no
    /// store) is rejected rather than guessed at.
    /// </summary>
    private StoreEntry? ResolveStore(ReadOnlySpan<char> location, int? storeId, ref List<RejectionReason>? reasons)
    {
        if (storeId is not int sid) return null; // missing_store_id already
        if (!_stores.TryGetValue(sid, out var store))
        {
            Reject(ref reasons, Reasons.UnknownStoreId, $"store_id {sid} is not in the store catalogue (Cleaning:Stores)");
            return null;
        }
        if (location.IsEmpty) return store;
        if (!_storesByName.TryGetValue(location, out var named))
        {
            Reject(ref reasons, Reasons.UnknownStore, $"store_location '{Clip(location)}' is not a known store");
            return null;
        }
        if (named.Id != store.Id)
        {
            Reject(ref reasons, Reasons.StoreMismatch, $"store_location '{Clip(location)}' contradicts store_id {sid} ({store.SourceName})");
            return null;
        }
        return store;
    }

    /// <summary>"7901_20260208": the number and the day a processed file's id names.</summary>
    private static bool TryParseProcessedId(ReadOnlySpan<char> text, out long id, out long day)
    {
        id = day = 0;
        var underscore = text.IndexOf('_');
        return underscore > 0 && text.Length - underscore == 9
               && TryParseWholeNumber(text[..underscore], out id) && long.TryParse(text[(underscore + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out day);
    }

    /// <summary>Ids and quantities arrive as floats ("12.0"): accept only whole, positive values.</summary>
    internal static bool TryParseWholeNumber(ReadOnlySpan<char> text, out int value, char mark = '.')
    {
        value = TryParseWholeNumber(text, out long v, mark) && v <= int.MaxValue ? (int)v : 0;
        return value > 0;
    }

    internal static bool TryParseWholeNumber(ReadOnlySpan<char> text, out long value, char mark = '.')
    {
        if (FastParse.TryWholeNumber(text, out value, mark)) return value > 0;
        value = 0;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, mark == ',' ? DecimalComma : CultureInfo.InvariantCulture, out var d)) return false;
        if (d != decimal.Truncate(d) || d <= 0 || d > long.MaxValue) return false;
        value = (long)d;
        return true;
    }

    private static string Clip(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : string.Concat(s[..40], "…");
}
