using System.Runtime.InteropServices;

namespace CoffeeMesh.Contracts;

/// <summary>
/// The store and product attributes a batch's sales carry, as runs: for each store (and product),
/// its sales in time order (date, time, then row_version), cut wherever the attributes change.
/// Each run is one entry of <see cref="Stores"/> (<see cref="Products"/>), dated by its first sale,
/// and each sale refers to its run by index. oltp-writer turns runs into versions of a slowly
/// changing dimension (type 2), so a sale keeps the attributes it was sold with. Nearly always a
/// store or product has one run per batch; only those with several are sorted.
/// </summary>
public sealed class AttributeRuns
{
    public required List<Store> Stores { get; init; }
    /// <summary>For each sale (same order as the rows), its index in <see cref="Stores"/>.</summary>
    public required int[] StoreRefs { get; init; }
    public required List<Product> Products { get; init; }
    public required int[] ProductRefs { get; init; }

    /// <param name="rows">A batch's accepted sales.</param>
    /// <param name="ingestionNumber">With a row's source line, its row_version.</param>
    public static AttributeRuns Of(IReadOnlyList<SalesRow> rows, long ingestionNumber)
    {
        var storeRefs = new int[rows.Count];
        var productRefs = new int[rows.Count];
        var stores = Runs(rows, ingestionNumber, r => r.StoreId, (a, b) => a.StoreLocation == b.StoreLocation,
            (r, at, version) => new Store(r.StoreId, r.StoreLocation) { FirstSoldAt = at, FirstRowVersion = version }, storeRefs);
        var products = Runs(rows, ingestionNumber, r => r.ProductId,
            (a, b) => a.UnitPrice == b.UnitPrice && a.ProductDetail == b.ProductDetail && a.ProductType == b.ProductType && a.ProductCategory == b.ProductCategory,
            (r, at, version) => new Product(r.ProductId, r.ProductCategory, r.ProductType, r.ProductDetail, r.UnitPrice) { FirstSoldAt = at, FirstRowVersion = version },
            productRefs);
        return new AttributeRuns { Stores = stores, StoreRefs = storeRefs, Products = products, ProductRefs = productRefs };
    }

    /// <summary>The time order of sales: date, time, then source line (row_version within one ingestion).</summary>
    private static int Compare(SalesRow a, SalesRow b)
    {
        var c = a.TransactionDate.CompareTo(b.TransactionDate);
        if (c == 0) c = a.TransactionTime.CompareTo(b.TransactionTime);
        return c != 0 ? c : a.SourceLine.CompareTo(b.SourceLine);
    }

    private struct Entry
    {
        public int First;     // the earliest sale (time order) of the key
        public bool Several;  // more than one set of attributes in the batch
    }

    private static List<T> Runs<T>(IReadOnlyList<SalesRow> rows, long ingestionNumber, Func<SalesRow, int> key, Func<SalesRow, SalesRow, bool> same,
        Func<SalesRow, DateTime, long, T> make, int[] refs)
    {
        var entries = new Dictionary<int, Entry>();
        for (var i = 0; i < rows.Count; i++)
        {
            ref var e = ref CollectionsMarshal.GetValueRefOrAddDefault(entries, key(rows[i]), out var exists);
            if (!exists) { e.First = i; continue; }
            if (!e.Several && !same(rows[e.First], rows[i])) e.Several = true;
            if (Compare(rows[i], rows[e.First]) < 0) e.First = i;
        }
        var runs = new List<T>(entries.Count);
        var index = new Dictionary<int, int>(entries.Count);
        List<int>? several = null;
        foreach (var (k, e) in entries.OrderBy(kv => kv.Key))
        {
            if (e.Several) { (several ??= []).Add(k); continue; }
            index[k] = runs.Count;
            runs.Add(make(rows[e.First], At(rows[e.First]), SalesTsv.RowVersion(ingestionNumber, rows[e.First].SourceLine)));
        }
        for (var i = 0; i < rows.Count; i++)
            if (index.TryGetValue(key(rows[i]), out var r)) refs[i] = r;
        if (several is null) return runs;

        var salesOf = several.ToDictionary(k => k, _ => new List<int>());
        for (var i = 0; i < rows.Count; i++)
            if (salesOf.TryGetValue(key(rows[i]), out var list)) list.Add(i);
        foreach (var k in several)
        {
            var sales = salesOf[k];
            sales.Sort((a, b) => Compare(rows[a], rows[b]));
            var start = -1;
            foreach (var i in sales)
            {
                if (start < 0 || !same(rows[start], rows[i]))
                {
                    start = i;
                    runs.Add(make(rows[i], At(rows[i]), SalesTsv.RowVersion(ingestionNumber, rows[i].SourceLine)));
                }
                refs[i] = runs.Count - 1;
            }
        }
        return runs;
    }

    private static DateTime At(SalesRow r) => r.TransactionDate.ToDateTime(r.TransactionTime);
}
