namespace CoffeeMesh.Contracts;

/// <summary>A clean sale: ids are integers, the price is converted, the store is renamed.</summary>
public record SalesRow(
    string TransactionId,
    DateOnly TransactionDate,
    TimeOnly TransactionTime,
    int TransactionQty,
    int StoreId,
    string StoreLocation,
    int ProductId,
    decimal UnitPrice,
    string ProductCategory,
    string ProductType,
    string ProductDetail,
    decimal TotalAmount,
    long SourceLine);
