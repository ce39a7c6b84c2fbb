using System.Globalization;
using CoffeeMesh.Messaging.Storage;
using Npgsql;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// Keeps <c>sales_hourly</c> (one row per date, hour, store version and product version:
/// transactions, items, revenue in the facts' currency) equal to the sums over fact_sales, in the
/// same transaction as each batch's facts. The dashboard reads it instead of 10M facts.
/// <para>Exact by construction: a batch adds its new facts (summed from its own lines) and, for a fact it replaces, subtracts
/// the version it replaced. Every transaction that writes facts of a date first takes that date's
/// advisory lock (<see cref="LockDatesAsync"/>) and holds it until commit, so what one batch reads
/// of a date's facts no other batch can change before it commits: two olap-sync replicas never
/// count a fact twice or subtract it twice.</para>
/// </summary>
public static class SalesAggregate
{
    /// <summary>First key of the two-key advisory locks on dates (the second is the date_id), apart from other advisory locks.</summary>
    public const int DateLockClass = 0x53414C45; // "SALE"

    /// <summary>Locks the dates (date_id = yyyymmdd) for the rest of <paramref name="tx"/>, in ascending order so that two transactions never deadlock on them.</summary>
    public static async Task LockDatesAsync(NpgsqlConnection pg, NpgsqlTransaction tx, IEnumerable<int> dateIds, CancellationToken ct)
    {
        var ids = dateIds.Distinct().Order().ToArray();
        if (ids.Length == 0) return;
        await pg.Command("SELECT pg_advisory_xact_lock(@class, d) FROM unnest(@ids) AS d ORDER BY d", tx)
            .With("@class", DateLockClass).With("@ids", ids)
            .ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Adds a batch's facts just copied into fact_sales, all of them new (the COPY path), summed
    /// here from the batch's own lines: PostgreSQL would have to find them again, and the BRIN on
    /// row_version does not cover pages not yet summarised, so that read grew with the table
    /// (docs/performance.md). The caller holds their dates' locks.
    /// </summary>
    public static async Task AddFactsAsync(NpgsqlConnection pg, NpgsqlTransaction tx, FactLines facts, CancellationToken ct)
    {
        var cells = new Dictionary<(int Date, int Hour, int Store, int Product), (long N, long Qty, decimal Amount)>();
        Span<Range> f = stackalloc Range[11];
        foreach (var range in facts.Text.Span.Split('\n'))
        {
            var line = facts.Text.Span[range];
            if (line.IsEmpty) continue;
            // transaction_id, date_id, time_id, store_id, product_id, transaction_qty, total_amount, row_version, store_key, product_key
            if (line.Split(f, '\t') != 10) throw new FormatException($"a fact line has not 10 fields: {line}");
            var key = (Int(line[f[1]]), Int(line[f[2]]) / 10000, Int(line[f[8]]), Int(line[f[9]]));
            var qty = Int(line[f[5]]);
            var amount = decimal.Parse(line[f[6]], NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            cells[key] = cells.TryGetValue(key, out var c) ? (c.N + 1, c.Qty + qty, c.Amount + amount) : (1, qty, amount);
        }
        if (cells.Count == 0) return;
        var keys = cells.Keys.Order().ToList();
        await pg.Command(
                $"""
                INSERT INTO sales_hourly AS a ({Columns})
                SELECT * FROM unnest(@dates, @hours, @stores, @products, @n, @qty, @amount)
                {AddOnConflict}
                """, tx)
            .With("@dates", keys.Select(k => k.Date).ToArray()).With("@hours", keys.Select(k => k.Hour).ToArray())
            .With("@stores", keys.Select(k => k.Store).ToArray()).With("@products", keys.Select(k => k.Product).ToArray())
            .With("@n", keys.Select(k => cells[k].N).ToArray()).With("@qty", keys.Select(k => cells[k].Qty).ToArray())
            .With("@amount", keys.Select(k => cells[k].Amount).ToArray())
            .ExecuteNonQueryAsync(ct);
    }

    private static int Int(ReadOnlySpan<char> text) => int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>
    /// Applies the staged facts (temporary table fact_stage) about to be upserted into fact_sales:
    /// each staged fact that will win (new, or newer than the stored one) is added, and the stored
    /// version it replaces subtracted. Call it after staging and before the upsert; it locks any date
    /// of a replaced fact the caller has not locked. Cells left with no transaction are deleted.
    /// </summary>
    public static async Task ApplyStagedAsync(NpgsqlConnection pg, NpgsqlTransaction tx, IReadOnlySet<int> lockedDates, CancellationToken ct)
    {
        var replacedDates = new List<int>();
        await using (var reader = await pg.Command(
                         "SELECT DISTINCT f.date_id FROM fact_stage s JOIN fact_sales f ON f.transaction_id = s.transaction_id WHERE f.row_version < s.row_version", tx)
                         .ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) replacedDates.Add(reader.GetInt32(0));
        // A transaction id names its date, so a replaced fact is of a date already locked; should one
        // not be, it is locked too (after the others: a rare deadlock PostgreSQL breaks, and the batch is retried).
        var extra = replacedDates.Where(d => !lockedDates.Contains(d)).ToList();
        await LockDatesAsync(pg, tx, extra, ct);
        await pg.Command(
                $"""
                INSERT INTO sales_hourly AS a ({Columns})
                SELECT date_id, hour, store_key, product_key, SUM(n), SUM(qty), SUM(amount) FROM (
                  SELECT s.date_id, s.time_id / 10000 AS hour, s.store_key, s.product_key, 1 AS n, s.transaction_qty AS qty, s.total_amount AS amount
                  FROM fact_stage s LEFT JOIN fact_sales f ON f.transaction_id = s.transaction_id
                  WHERE f.transaction_id IS NULL OR f.row_version < s.row_version
                  UNION ALL
                  SELECT f.date_id, f.time_id / 10000, f.store_key, f.product_key, -1, -f.transaction_qty, -f.total_amount
                  FROM fact_stage s JOIN fact_sales f ON f.transaction_id = s.transaction_id
                  WHERE f.row_version < s.row_version
                ) d
                GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
                {AddOnConflict}
                """, tx)
            .ExecuteNonQueryAsync(ct);
        if (replacedDates.Count > 0)
            await pg.Command("DELETE FROM sales_hourly WHERE date_id = ANY(@dates) AND transactions = 0", tx)
                .With("@dates", replacedDates.ToArray())
                .ExecuteNonQueryAsync(ct);
    }

    private const string Columns = "date_id, hour, store_key, product_key, transactions, quantity, revenue";

    private const string AddOnConflict =
        """
        ON CONFLICT (date_id, hour, store_key, product_key) DO UPDATE SET
          transactions = a.transactions + excluded.transactions, quantity = a.quantity + excluded.quantity, revenue = a.revenue + excluded.revenue
        """;
}
