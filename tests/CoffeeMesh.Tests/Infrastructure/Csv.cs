namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>Raw-format lines for tests: a valid row unless a field is overridden.</summary>
public static class Csv
{
    public const string Header =
        "transaction_id;transaction_date;transaction_time;transaction_qty;store_id;store_location;product_id;unit_price;product_category;product_type;product_detail\n";

    public static string Row(long id, string date = "2025/01/01", string time = "07:06:11", string qty = "2.0", string storeId = "5.0",
        string location = "Lower Manhattan", string productId = "901.0", string price = "3.0", string category = "Coffee",
        string type = "Gourmet brewed coffee", string detail = "Test blend Rg", string? idText = null) =>
        $"{idText ?? id + ".0"};{date};{time};{qty};{storeId};{location};{productId};{price};{category};{type};{detail}\n";
}
