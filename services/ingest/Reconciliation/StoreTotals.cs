using System.Text.Json.Serialization;

namespace CoffeeMesh.Ingest.Reconciliation;

/// <summary>One store's rows, quantity (sum of transaction_qty) and amount (sum of total_amount, currency) on one day.</summary>
public sealed record StoreTotals(
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("quantity")] long Quantity,
    [property: JsonPropertyName("amount")] decimal Amount)
{
    public static readonly StoreTotals None = new(0, 0, 0m);
}

/// <summary>A day in the four stores. MySQL is the reference: <see cref="Differs"/> names each store that does not equal it.</summary>
public sealed record DayReconciliation(
    [property: JsonPropertyName("date")] DateOnly Date,
    [property: JsonPropertyName("mysql")] StoreTotals MySql,
    [property: JsonPropertyName("postgresql")] StoreTotals PostgreSql,
    [property: JsonPropertyName("gcs")] StoreTotals Gcs,
    [property: JsonPropertyName("warehouse")] StoreTotals Warehouse,
    [property: JsonPropertyName("differs")] IReadOnlyList<string> Differs)
{
    [JsonPropertyName("agrees")] public bool Agrees => Differs.Count == 0;
}

/// <summary>The four stores compared day by day over [From, To]; days no store has a row on are left out.</summary>
public sealed record FourStoreReconciliation(
    [property: JsonPropertyName("from")] DateOnly From,
    [property: JsonPropertyName("to")] DateOnly To,
    [property: JsonPropertyName("days")] IReadOnlyList<DayReconciliation> Days)
{
    [JsonPropertyName("agrees")] public bool Agrees => Days.All(d => d.Agrees);
}

/// <summary>What a repair did to one day: the stores it rebuilt, in order.</summary>
public sealed record DayRepair(
    [property: JsonPropertyName("date")] DateOnly Date,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions);
