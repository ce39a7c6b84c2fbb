using System.Text;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging.Storage;
using MySqlConnector;

namespace CoffeeMesh.OltpWriter;

/// <summary>A batch MySQL would store only with warnings (a value it would silently alter).</summary>
public sealed class StoreRejectedException(string message) : Exception(message);

/// <summary>
/// The second line of defence behind transform's rules: when MySQL still refuses a batch, the rows
/// it refuses are found by halving (each half loaded into a scratch table; a half without warnings
/// is clean), quarantined as <c>store_rejected</c> with MySQL's own message, and the batch is stored
/// without them. One row never costs a batch. k bad rows in n cost about k·log2(n) small loads.
/// </summary>
public static class RejectedRows
{
    public const string Reason = "store_rejected";

    /// <summary>The TSV lines (by index) MySQL refuses, each with its first warning.</summary>
    public static async Task<Dictionary<int, string>> FindAsync(ServiceStore store, CleanSalesBatch batch, CancellationToken ct)
    {
        var lines = batch.Sales.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await using var c = (MySqlConnection)await store.OpenAsync(ct);
        await c.Command(
                "CREATE TEMPORARY TABLE IF NOT EXISTS sales_probe (transaction_id VARCHAR(40) NOT NULL, transaction_date DATE NOT NULL, " +
                "transaction_time TIME NOT NULL, transaction_qty INT NOT NULL, store_id INT NOT NULL, product_id INT NOT NULL, " +
                "unit_price DECIMAL(12,2) NOT NULL, total_amount DECIMAL(14,2) NOT NULL, row_version BIGINT NOT NULL) ENGINE=MEMORY")
            .ExecuteNonQueryAsync(ct);
        var rejected = new Dictionary<int, string>();
        await SearchAsync(c, lines, 0, lines.Length, rejected, ct);
        return rejected;
    }

    private static async Task SearchAsync(MySqlConnection c, string[] lines, int from, int to, Dictionary<int, string> rejected, CancellationToken ct)
    {
        var warning = await ProbeAsync(c, lines, from, to, ct);
        if (warning is null) return;
        if (to - from == 1)
        {
            rejected[from] = warning;
            return;
        }
        var middle = (from + to) / 2;
        await SearchAsync(c, lines, from, middle, rejected, ct);
        await SearchAsync(c, lines, middle, to, rejected, ct);
    }

    /// <returns>The first warning loading lines [from, to) gives, or null when they load cleanly.</returns>
    private static async Task<string?> ProbeAsync(MySqlConnection c, string[] lines, int from, int to, CancellationToken ct)
    {
        await c.Command("DELETE FROM sales_probe").ExecuteNonQueryAsync(ct);
        var text = new StringBuilder();
        for (var i = from; i < to; i++) text.Append(lines[i]).Append('\n');
        await using var data = new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()), writable: false);
        var loader = new MySqlBulkLoader(c)
        {
            TableName = "sales_probe", Local = true, SourceStream = data, FieldTerminator = "\t", LineTerminator = "\n",
            EscapeCharacter = '\\', CharacterSet = "utf8mb4",
        };
        loader.Columns.AddRange(SalesTsv.Columns);
        await loader.LoadAsync(ct);
        await using var r = await c.Command("SHOW WARNINGS LIMIT 1").ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? $"MySQL: {r.GetString(2)} (warning {r.GetInt32(1)})" : null;
    }

    /// <summary>
    /// The batch without the rejected lines, which join its quarantine (the line as the writer had it,
    /// with MySQL's message); runs no remaining sale refers to are dropped and the references renumbered.
    /// </summary>
    public static CleanSalesBatch Without(CleanSalesBatch batch, IReadOnlyDictionary<int, string> rejected)
    {
        var lines = batch.Sales.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var kept = lines.Where((_, i) => !rejected.ContainsKey(i)).Select(l => l.Split('\t')).ToList();
        var storeRefs = Renumber(kept, SalesTsv.Columns.Length - 2);
        var productRefs = Renumber(kept, SalesTsv.Columns.Length - 1);
        var quarantined = batch.Quarantined.Concat(rejected.Select(r =>
        {
            var fields = lines[r.Key].Split('\t');
            var line = long.Parse(fields[8]) & 0xFFFFFFFF;
            return new QuarantinedRow(line, lines[r.Key], [new RejectionReason(Reason, r.Value)]);
        })).ToList();
        return batch with
        {
            Sales = string.Concat(kept.Select(f => string.Join('\t', f) + "\n")),
            SalesCount = kept.Count,
            Stores = storeRefs.Select(i => batch.Stores[i]).ToList(),
            Products = productRefs.Select(i => batch.Products[i]).ToList(),
            Quarantined = quarantined,
        };
    }

    /// <summary>Renumbers one reference column of the kept lines densely; returns the old index of each new one.</summary>
    private static List<int> Renumber(List<string[]> lines, int column)
    {
        var order = new List<int>();
        var map = new Dictionary<int, int>();
        foreach (var fields in lines)
        {
            var old = int.Parse(fields[column]);
            if (!map.TryGetValue(old, out var now)) { map[old] = now = order.Count; order.Add(old); }
            fields[column] = now.ToString();
        }
        return order;
    }
}
