namespace CoffeeMesh.Contracts;

/// <summary>The raw export's columns, in the canonical order used by <see cref="RawSalesRow.Fields"/>.</summary>
public static class SalesColumns
{
    public const string TransactionId = "transaction_id";
    public const string TransactionDate = "transaction_date";
    public const string TransactionTime = "transaction_time";
    public const string TransactionQty = "transaction_qty";
    public const string StoreId = "store_id";
    public const string StoreLocation = "store_location";
    public const string ProductId = "product_id";
    public const string UnitPrice = "unit_price";
    public const string ProductCategory = "product_category";
    public const string ProductType = "product_type";
    public const string ProductDetail = "product_detail";

    public static readonly IReadOnlyList<string> All =
    [
        TransactionId, TransactionDate, TransactionTime, TransactionQty, StoreId, StoreLocation,
        ProductId, UnitPrice, ProductCategory, ProductType, ProductDetail,
    ];
}
