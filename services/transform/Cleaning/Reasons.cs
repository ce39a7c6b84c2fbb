namespace CoffeeMesh.Transform.Cleaning;

/// <summary>
/// Quarantine reason codes: stable, counted per ingestion, listed in the README. Missing values are
/// reported per column as <c>missing_&lt;column&gt;</c>. Ingest's read errors (field_count,
/// invalid_utf8, line_too_long, unbalanced_quote, repeated_header) arrive on the row already.
/// </summary>
public static class Reasons
{
    public static string Missing(string column) => "missing_" + column;
    public const string InvalidTransactionId = "invalid_transaction_id";
    public const string InvalidStoreId = "invalid_store_id";
    public const string InvalidProductId = "invalid_product_id";
    public const string InvalidDate = "invalid_date";
    public const string InvalidTime = "invalid_time";
    public const string InvalidQty = "invalid_qty";
    public const string InvalidPrice = "invalid_price";
    public const string UnknownStore = "unknown_store_location";
    public const string StoreMismatch = "store_location_mismatch";
    public const string TooLong = "value_too_long";
    public const string EmptyRow = "empty_row";
    public const string UnknownStoreId = "unknown_store_id";
    public const string DateOrderConflict = "date_order_conflict";
    public const string ControlCharacter = "control_character";
    public const string QtyOutOfRange = "qty_out_of_range";
    public const string PriceOutOfRange = "price_out_of_range";
    public const string TotalOutOfRange = "total_out_of_range";
}
