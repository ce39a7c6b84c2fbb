using System.Globalization;
using CoffeeMesh.WarehouseLoader.Warehouse;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.WarehouseLoader;

/// <summary>
/// The repair of a day on which the warehouse disagrees (reconciliation): the day's facts and load records are
/// dropped and every object now under <c>{prefix}date=yyyy-MM-dd/</c> in the bucket is loaded again.
/// </summary>
public sealed class DayReload(IWarehouse warehouse, ObjectLoader loader, StorageClient storage, IOptions<WarehouseLoaderOptions> options, ILogger<DayReload> logger)
{
    /// <summary>Reloads <paramref name="day"/> from <paramref name="bucket"/>. Returns the objects loaded and their rows.</summary>
    public async Task<(int Objects, long Rows)> ReloadAsync(string bucket, DateOnly day, CancellationToken ct)
    {
        await warehouse.ForgetDayAsync(day, ct);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{options.Value.ObjectPrefix}date={day:yyyy-MM-dd}/");
        int objects = 0;
        long rows = 0;
        await foreach (var o in storage.ListObjectsAsync(bucket, prefix).WithCancellation(ct))
        {
            if (!o.Name.EndsWith(".csv", StringComparison.Ordinal) || o.Generation is not { } generation) continue;
            var processed = ProcessedObject.From(o.Bucket, o.Name, generation, o.Metadata?.ToDictionary(), out var reason)
                            ?? throw new InvalidDataException($"{o.Name} is not a processed object: {reason}");
            rows += (await loader.LoadAsync(processed, ct)).Rows;
            objects++;
        }
        logger.LogWarning("Reloaded {Day} from {Bucket}/{Prefix}: {Objects} objects, {Rows} rows", day, bucket, prefix, objects, rows);
        return (objects, rows);
    }
}
