using CoffeeMesh.Messaging.Storage;
using Npgsql;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// The four dimensions, written set-based from arrays. Keys are inserted in ascending order so that
/// concurrent batches adding the same new keys wait for each other instead of deadlocking; existing
/// rows are neither rewritten nor locked unless they changed.
/// </summary>
public static class Dimensions
{
    /// <summary>
    /// The stores, products (every version of each, read from MySQL) and dates that <paramref name="facts"/> point at,
    /// in a transaction of their own committed before the facts': reference rows a failed fact transaction leaves
    /// unused are harmless, while holding their locks until the facts commit would make concurrent batches that
    /// add the same new date or product wait for each other's whole transaction.
    /// </summary>
    public static async Task AddForFactsAsync(NpgsqlConnection pg, MySqlConnector.MySqlConnection my, FactLines facts, CancellationToken ct)
    {
        await using var tx = await pg.BeginTransactionAsync(ct);
        await UpsertStoresAsync(pg, tx, await OltpSource.StoresAsync(my, facts.Stores, ct), ct);
        await UpsertProductsAsync(pg, tx, await OltpSource.ProductsAsync(my, facts.Products, ct), ct);
        await AddDatesAsync(pg, tx, facts.Dates, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Smart key of a date in dim_date and fact_sales: yyyymmdd.</summary>
    public static int DateId(DateOnly d) => d.Year * 10_000 + d.Month * 100 + d.Day;

    /// <summary>Dates are derived from their smart keys; only keys not there yet are inserted. (dim_time is complete from the start.)</summary>
    public static async Task AddDatesAsync(NpgsqlConnection c, NpgsqlTransaction tx, IReadOnlyCollection<int> dateIds, CancellationToken ct)
    {
        if (dateIds.Count == 0) return;
        await c.Command(
                """
                INSERT INTO dim_date (date_id, transaction_date, day, month, year, weekday)
                SELECT k.date_id, d, extract(day FROM d)::int, extract(month FROM d)::int, extract(year FROM d)::int, to_char(d, 'FMDay')
                FROM unnest(@ids) AS k(date_id)
                CROSS JOIN LATERAL (SELECT make_date(k.date_id / 10000, k.date_id / 100 % 100, k.date_id % 100) AS d) v
                WHERE NOT EXISTS (SELECT 1 FROM dim_date e WHERE e.date_id = k.date_id)
                ORDER BY k.date_id
                ON CONFLICT DO NOTHING
                """, tx)
            .With("@ids", dateIds.ToArray())
            .ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Store versions as MySQL holds them (slowly changing dimension, type 2, keyed by store_key): a
    /// version row changes only to a newer MySQL updated_at, whatever order batches sync in. One
    /// upsert, in key order: two replicas syncing the same versions wait for each other rather than
    /// one missing the other's uncommitted insert.
    /// </summary>
    public static async Task UpsertStoresAsync(NpgsqlConnection c, NpgsqlTransaction tx, IReadOnlyList<StoreRow> stores, CancellationToken ct)
    {
        if (stores.Count == 0) return;
        await c.Command(
                """
                INSERT INTO dim_store AS d (store_key, store_id, store_location, valid_from, valid_to, is_current, source_updated_at)
                SELECT * FROM unnest(@keys, @ids, @locations, @from, @to, @current, @updated) ORDER BY 1
                ON CONFLICT (store_key) DO UPDATE SET store_id = excluded.store_id, store_location = excluded.store_location,
                  valid_from = excluded.valid_from, valid_to = excluded.valid_to, is_current = excluded.is_current,
                  source_updated_at = excluded.source_updated_at
                WHERE d.source_updated_at < excluded.source_updated_at
                """, tx)
            .With("@keys", stores.Select(s => checked((int)s.StoreKey)).ToArray())
            .With("@ids", stores.Select(s => s.StoreId).ToArray())
            .With("@locations", stores.Select(s => s.StoreLocation).ToArray())
            .With("@from", stores.Select(s => Unspecified(s.ValidFrom)).ToArray())
            .With("@to", stores.Select(s => s.ValidTo is { } t ? Unspecified(t) : (DateTime?)null).ToArray())
            .With("@current", stores.Select(s => s.IsCurrent).ToArray())
            .With("@updated", stores.Select(s => Unspecified(s.UpdatedAt)).ToArray())
            .ExecuteNonQueryAsync(ct);
    }

    /// <summary>Product versions as MySQL holds them (keyed by product_key); see <see cref="UpsertStoresAsync"/>.</summary>
    public static async Task UpsertProductsAsync(NpgsqlConnection c, NpgsqlTransaction tx, IReadOnlyList<ProductRow> products, CancellationToken ct)
    {
        if (products.Count == 0) return;
        await c.Command(
                """
                INSERT INTO dim_product AS d (product_key, product_id, product_category, product_type, product_detail, unit_price, valid_from, valid_to,
                                              is_current, source_updated_at)
                SELECT * FROM unnest(@keys, @ids, @categories, @types, @details, @prices, @from, @to, @current, @updated) ORDER BY 1
                ON CONFLICT (product_key) DO UPDATE SET product_id = excluded.product_id, product_category = excluded.product_category,
                  product_type = excluded.product_type, product_detail = excluded.product_detail, unit_price = excluded.unit_price,
                  valid_from = excluded.valid_from, valid_to = excluded.valid_to, is_current = excluded.is_current,
                  source_updated_at = excluded.source_updated_at
                WHERE d.source_updated_at < excluded.source_updated_at
                """, tx)
            .With("@keys", products.Select(p => checked((int)p.ProductKey)).ToArray())
            .With("@ids", products.Select(p => p.ProductId).ToArray())
            .With("@categories", products.Select(p => p.ProductCategory).ToArray())
            .With("@types", products.Select(p => p.ProductType).ToArray())
            .With("@details", products.Select(p => p.ProductDetail).ToArray())
            .With("@prices", products.Select(p => p.UnitPrice).ToArray())
            .With("@from", products.Select(p => Unspecified(p.ValidFrom)).ToArray())
            .With("@to", products.Select(p => p.ValidTo is { } t ? Unspecified(t) : (DateTime?)null).ToArray())
            .With("@current", products.Select(p => p.IsCurrent).ToArray())
            .With("@updated", products.Select(p => Unspecified(p.UpdatedAt)).ToArray())
            .ExecuteNonQueryAsync(ct);
    }

    // MySQL DATETIME has no zone; PostgreSQL TIMESTAMP (without time zone) takes it as it is.
    private static DateTime Unspecified(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Unspecified);
}
