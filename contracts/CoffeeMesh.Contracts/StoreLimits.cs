namespace CoffeeMesh.Contracts;

/// <summary>
/// The largest values the stores' columns hold (MySQL's <c>sales</c> and PostgreSQL's
/// <c>fact_sales</c> and <c>dim_product</c> alike): transform quarantines a row beyond them rather
/// than let a store refuse its whole batch.
/// </summary>
public static class StoreLimits
{
    /// <summary>transaction_qty is an INT.</summary>
    public const long MaxQuantity = int.MaxValue;
    /// <summary>unit_price is DECIMAL(12,2) / NUMERIC(12,2), in the converted currency.</summary>
    public const decimal MaxPrice = 9_999_999_999.99m;
    /// <summary>total_amount is DECIMAL(14,2) / NUMERIC(14,2).</summary>
    public const decimal MaxAmount = 999_999_999_999.99m;
}
