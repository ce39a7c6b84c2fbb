using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Reconciliation;

/// <summary>
/// Compares MySQL, the PostgreSQL star schema, the bucket's processed objects and the warehouse day by day (rows,
/// quantity, amount), through the services that own them: olap-sync's /reconciliation (MySQL and PostgreSQL),
/// cloud-publisher's /days (the bucket, each transaction counted once) and warehouse-loader's /days. Repairs a
/// day that disagrees from MySQL, the reference: the star schema's day is resynced; the bucket's day rewritten,
/// then the warehouse's day reloaded from it; or the warehouse's day alone reloaded.
/// </summary>
public sealed class StoreReconciler(IHttpClientFactory http, IOptions<IngestOptions> options, ILogger<StoreReconciler> logger)
{
    /// <summary>Longest range compared at once (olap-sync's bound).</summary>
    public const int MaxDays = 366;
    public const string PostgreSql = "postgresql", Gcs = "gcs", Warehouse = "warehouse";

    /// <summary>Named HttpClients, resolved by service discovery (the AppHost's references).</summary>
    public const string OlapSyncClient = "olap-sync", CloudPublisherClient = "cloud-publisher", WarehouseLoaderClient = "warehouse-loader";

    /// <summary>The four stores over [from, to]. Throws HttpRequestException naming a service that did not answer.</summary>
    public async Task<FourStoreReconciliation> CompareAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        var range = $"from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}";
        var twoStores = await GetAsync(OlapSyncClient, $"/reconciliation?{range}", ct);
        var gcs = Days(await GetAsync(CloudPublisherClient, $"/days?{range}", ct), "day");
        var warehouse = Days(await GetAsync(WarehouseLoaderClient, $"/days?{range}", ct), "day");
        var mysql = new Dictionary<DateOnly, StoreTotals>();
        var postgres = new Dictionary<DateOnly, StoreTotals>();
        foreach (var d in twoStores["days"]!.AsArray())
        {
            var date = DateOnly.Parse(d!["date"]!.GetValue<string>());
            mysql[date] = Totals(d["mysql"]!);
            postgres[date] = Totals(d["postgresql"]!);
        }
        var days = mysql.Keys.Union(postgres.Keys).Union(gcs.Keys).Union(warehouse.Keys).Order().Select(date =>
        {
            var reference = mysql.GetValueOrDefault(date, StoreTotals.None);
            var others = new (string Store, StoreTotals Totals)[]
            {
                (PostgreSql, postgres.GetValueOrDefault(date, StoreTotals.None)),
                (Gcs, gcs.GetValueOrDefault(date, StoreTotals.None)),
                (Warehouse, warehouse.GetValueOrDefault(date, StoreTotals.None)),
            };
            return new DayReconciliation(date, reference, others[0].Totals, others[1].Totals, others[2].Totals,
                others.Where(o => o.Totals != reference).Select(o => o.Store).ToList());
        }).ToList();
        return new FourStoreReconciliation(from, to, days);
    }

    /// <summary>Repairs each day of [from, to] that disagrees; returns what was done and the comparison afterwards.</summary>
    public async Task<(IReadOnlyList<DayRepair> Repairs, FourStoreReconciliation After)> RepairAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        var repairs = new List<DayRepair>();
        foreach (var day in (await CompareAsync(from, to, ct)).Days.Where(d => !d.Agrees))
        {
            var actions = new List<string>();
            var date = day.Date.ToString("yyyy-MM-dd");
            if (day.Differs.Contains(PostgreSql))
            {
                await PostAsync(OlapSyncClient, $"/reconciliation/days/{date}/resync", ct);
                actions.Add("postgresql: facts rebuilt from MySQL");
            }
            if (day.Differs.Contains(Gcs))
            {
                await PostAsync(CloudPublisherClient, $"/days/{date}/republish", ct);
                actions.Add("gcs: day rewritten from MySQL");
            }
            if (day.Differs.Contains(Gcs) || day.Differs.Contains(Warehouse))
            {
                await PostAsync(WarehouseLoaderClient, $"/days/{date}/reload?bucket={Uri.EscapeDataString(options.Value.Bucket)}", ct);
                actions.Add("warehouse: day reloaded from the bucket");
            }
            logger.LogWarning("Repaired {Day} ({Differs}): {Actions}", date, string.Join(", ", day.Differs), string.Join("; ", actions));
            repairs.Add(new DayRepair(day.Date, actions));
        }
        return (repairs, await CompareAsync(from, to, ct));
    }

    private static Dictionary<DateOnly, StoreTotals> Days(JsonNode list, string dateField) =>
        list.AsArray().ToDictionary(d => DateOnly.Parse(d![dateField]!.GetValue<string>()), d => Totals(d!));

    private static StoreTotals Totals(JsonNode n) =>
        new(n["rows"]!.GetValue<long>(), n["quantity"]!.GetValue<long>(), n["amount"]!.GetValue<decimal>());

    private async Task<JsonNode> GetAsync(string service, string path, CancellationToken ct)
    {
        using var client = Client(service);
        using var response = await client.GetAsync(path, ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{service} answered {(int)response.StatusCode} to GET {path}: {await response.Content.ReadAsStringAsync(ct)}");
        return (await response.Content.ReadFromJsonAsync<JsonNode>(ct))!;
    }

    private async Task PostAsync(string service, string path, CancellationToken ct)
    {
        using var client = Client(service);
        using var response = await client.PostAsync(path, null, ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{service} answered {(int)response.StatusCode} to POST {path}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    private HttpClient Client(string service)
    {
        var client = http.CreateClient(service);
        client.BaseAddress ??= new Uri($"http://{service}");
        return client;
    }
}
