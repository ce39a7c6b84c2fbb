using System.Globalization;
using CoffeeMesh.Contracts;
using CsvHelper;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.Options;
using GcsObject = Google.Apis.Storage.v1.Data.Object;

namespace CoffeeMesh.CloudPublisher;

/// <summary>
/// The bucket seen day by day, for reconciliation: a day's processed objects (<c>{prefix}/date=yyyy-MM-dd/</c>) read
/// back and totalled the way a warehouse loads them (a transaction id counted once, from the object of the latest
/// ingestion and batch); and the repair of a day whose objects disagree with MySQL.
/// </summary>
public sealed class BucketDays(StorageClient client, ProcessedObjects objects, BatchRows rows, IOptions<CloudPublisherOptions> options, ILogger<BucketDays> logger)
{
    public const int MaxDays = 366;

    /// <summary>Rows, quantity and amount (currency) per day in [from, to] from the objects' content; days without objects left out.</summary>
    public async Task<IReadOnlyList<DayTotals>> TotalsAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        var days = new List<DayTotals>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var latest = new Dictionary<string, (long Order, long Quantity, decimal Amount)>();
            var any = false;
            foreach (var o in await ListDayAsync(day, ct))
            {
                any = true;
                var order = Order(o);
                using var content = new MemoryStream();
                await client.DownloadObjectAsync(o, content, cancellationToken: ct);
                using var reader = CsvReader.Create(content.ToArray(), CsvReaderOptions.Default);
                while (reader.Read())
                {
                    var id = reader.GetString(0);
                    var quantity = long.Parse(reader.GetString(3), CultureInfo.InvariantCulture);
                    var amount = quantity * decimal.Parse(reader.GetString(7), CultureInfo.InvariantCulture);
                    if (!latest.TryGetValue(id, out var seen) || seen.Order <= order) latest[id] = (order, quantity, amount);
                }
            }
            if (any) days.Add(new DayTotals(day, latest.Count, latest.Values.Sum(v => v.Quantity), latest.Values.Sum(v => v.Amount)));
        }
        return days;
    }

    /// <summary>
    /// Rewrites a day: one object with MySQL's current rows of the day (<c>repair-yyyyMMddHHmmss.csv</c>, ordered after
    /// every batch that wrote them), then the day's other objects deleted. Returns the rows written.
    /// </summary>
    public async Task<long> RepublishAsync(DateOnly day, CancellationToken ct)
    {
        await objects.EnsureBucketAsync(ct);
        var before = await ListDayAsync(day, ct);
        var (part, latestIngestion) = await rows.ReadDayAsync(day, ct);
        var name = string.Create(CultureInfo.InvariantCulture, $"{options.Value.ObjectPrefix}/date={day:yyyy-MM-dd}/repair-{DateTime.UtcNow:yyyyMMddHHmmssfff}.csv");
        using (part)
            if (part.Rows > 0)
                // Guid.Empty: no ingestion wrote it; its rows rank after the day's own (sequence int.MaxValue of the latest ingestion).
                await objects.CreateAsync(name, part, Guid.Empty, latestIngestion, int.MaxValue, 1, ct);
        foreach (var o in before) await client.DeleteObjectAsync(o, cancellationToken: ct);
        logger.LogWarning("Republished {Day}: {Rows} rows in {Name}, {Removed} objects removed", day, part.Rows, name, before.Count);
        return part.Rows;
    }

    private async Task<List<GcsObject>> ListDayAsync(DateOnly day, CancellationToken ct)
    {
        var list = new List<GcsObject>();
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{options.Value.ObjectPrefix}/date={day:yyyy-MM-dd}/");
        await foreach (var o in client.ListObjectsAsync(objects.Bucket, prefix).WithCancellation(ct))
            if (o.Name.EndsWith(".csv", StringComparison.Ordinal)) list.Add(o);
        return list;
    }

    // (ingestion number, sequence) as one sortable number: which object's copy of a transaction is the current one.
    private static long Order(GcsObject o)
    {
        long Get(string key) => o.Metadata?.TryGetValue(key, out var v) == true && long.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return (Get(ProcessedObjects.IngestionNumberKey) << 32) | Math.Min(Get(ProcessedObjects.SequenceKey), int.MaxValue);
    }
}

/// <summary>One day's rows, quantity and amount (currency).</summary>
public sealed record DayTotals(DateOnly Day, long Rows, long Quantity, decimal Amount);
