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

    /// <summary>A store changes only to a newer MySQL version of it (updated_at), whatever order batches sync in.</summary>
    public static async Task UpsertStoresAsync(NpgsqlConnection c, NpgsqlTransaction tx, IReadOnlyList<StoreRow> stores, CancellationToken ct)
    {
        if (stores.Count == 0) return;
        await c.Command(
                """
                UPDATE dim_store d SET store_location = s.location, source_updated_at = s.updated_at
                FROM unnest(@ids, @locations, @updated) AS s(id, location, updated_at)
                WHERE d.store_id = s.id AND d.source_updated_at < s.updated_at AND d.store_location IS DISTINCT FROM s.location;
                INSERT INTO dim_store (store_id, store_location, source_updated_at)
                SELECT * FROM unnest(@ids, @locations, @updated) ORDER BY 1
                ON CONFLICT DO NOTHING
                """, tx)
            .With("@ids", stores.Select(s => s.StoreId).ToArray())
            .With("@locations", stores.Select(s => s.StoreLocation).ToArray())
            .With("@updated", stores.Select(s => Unspecified(s.UpdatedAt)).ToArray())
            .ExecuteNonQueryAsync(ct);
    }

    public static async Task UpsertProductsAsync(NpgsqlConnection c, NpgsqlTransaction tx, IReadOnlyList<ProductRow> products, CancellationToken ct)
    {
        if (products.Count == 0) return;
        await c.Command(
                """
                UPDATE dim_product d SET product_category = s.category, product_type = s.type, product_detail = s.detail,
                                         unit_price = s.price, source_updated_at = s.updated_at
                FROM unnest(@ids, @categories, @types, @details, @prices, @updated) AS s(id, category, type, detail, price, updated_at)
                WHERE d.product_id = s.id AND d.source_updated_at < s.updated_at
                  AND (d.product_category, d.product_type, d.product_detail, d.unit_price) IS DISTINCT FROM (s.category, s.type, s.detail, s.price);
                INSERT INTO dim_product (product_id, product_category, product_type, product_detail, unit_price, source_updated_at)
                SELECT * FROM unnest(@ids, @categories, @types, @details, @prices, @updated) ORDER BY 1
                ON CONFLICT DO NOTHING
                """, tx)
            .With("@ids", products.Select(p => p.ProductId).ToArray())
            .With("@categories", products.Select(p => p.ProductCategory).ToArray())
            .With("@types", products.Select(p => p.ProductType).ToArray())
            .With("@details", products.Select(p => p.ProductDetail).ToArray())
            .With("@prices", products.Select(p => p.UnitPrice).ToArray())
            .With("@updated", products.Select(p => Unspecified(p.UpdatedAt)).ToArray())
            .ExecuteNonQueryAsync(ct);
    }

    // MySQL DATETIME has no zone; PostgreSQL TIMESTAMP (without time zone) takes it as it is.
    private static DateTime Unspecified(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Unspecified);
}
