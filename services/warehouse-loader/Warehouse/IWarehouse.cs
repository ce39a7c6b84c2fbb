namespace CoffeeMesh.WarehouseLoader.Warehouse;

/// <summary>
/// The warehouse's star schema (the old BigQuery tables dim_date, dim_time, dim_store, dim_product and
/// fact_sales, stores and products versioned by their attributes) and its record of loaded objects.
/// Implementations: <see cref="DuckDbWarehouse"/> (embedded, the default) and BigQuery (REST).
/// </summary>
public interface IWarehouse
{
    /// <summary>Creates the tables that are missing. Safe to call at every start.</summary>
    Task EnsureSchemaAsync(CancellationToken ct);

    /// <summary>The load of <paramref name="objectKey"/> (<c>bucket/name#generation</c>) when it committed, else null.</summary>
    Task<LoadedObject?> FindAsync(string objectKey, CancellationToken ct);

    /// <summary>
    /// Loads one processed object's rows, all or nothing, at most once per <see cref="ProcessedObject.Key"/>:
    /// a key loaded already changes nothing and returns the earlier load. A fact replaces the fact with the same
    /// transaction id only when it comes from a later ingestion (or a later batch of the same one).
    /// </summary>
    /// <param name="content">Opens the object's content (processed CSV: <see cref="CoffeeMesh.Contracts.ProcessedCsv"/>); a warehouse
    /// that reads the bucket itself (BigQuery) does not call it.</param>
    /// <exception cref="InvalidDataException">The content is not processed CSV (the object is refused; retrying will not help).</exception>
    Task<LoadedObject> LoadAsync(ProcessedObject processed, Func<CancellationToken, Task<Stream>> content, CancellationToken ct);

    /// <summary>Each batch of an ingestion the warehouse holds objects of: objects loaded, objects the batch wrote, rows loaded.</summary>
    Task<IReadOnlyList<LoadedBatch>> CountAsync(Guid ingestionId, CancellationToken ct);

    /// <summary>Rows, quantity and amount (currency, 2 decimals) per transaction date in [from, to], days with no facts left out.</summary>
    Task<IReadOnlyList<DayTotals>> DayTotalsAsync(DateOnly from, DateOnly to, CancellationToken ct);

    /// <summary>
    /// Repair: drops every fact dated <paramref name="day"/> and the load records of objects of that date, so that loading
    /// the day's objects again rebuilds it.
    /// </summary>
    Task ForgetDayAsync(DateOnly day, CancellationToken ct);
}

/// <summary>A committed load: the object, its batch, and the rows it put in fact_sales.</summary>
public sealed record LoadedObject(string ObjectKey, Guid IngestionId, int Sequence, int BatchObjects, long Rows, DateTimeOffset LoadedAt);

/// <summary>One batch in the warehouse: <paramref name="Objects"/> of its <paramref name="BatchObjects"/> objects loaded, holding <paramref name="Rows"/> rows.</summary>
public sealed record LoadedBatch(int Sequence, int Objects, int BatchObjects, long Rows);

/// <summary>One day's facts: rows, sum of transaction_qty, sum of total_amount (currency).</summary>
public sealed record DayTotals(DateOnly Day, long Rows, long Quantity, decimal Amount);
