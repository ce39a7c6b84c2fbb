using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.WarehouseLoader.Warehouse;
using Google.Cloud.Storage.V1;
using MassTransit;

namespace CoffeeMesh.WarehouseLoader;

/// <summary>
/// Loads one processed object into the warehouse, at most once per generation, then tells ingest's ledger
/// (SalesObjectLoaded, again after a replay under the same message id). Objects of no ingestion (a repaired day,
/// ingestion id all zeros) are loaded without a report.
/// </summary>
public sealed class ObjectLoader(IWarehouse warehouse, StorageClient storage, IPublishEndpoint bus)
{
    /// <summary>The object's load, earlier or now. Throws what the warehouse or GCS throws (GoogleApiException 404: the generation is gone).</summary>
    /// <exception cref="InvalidDataException">The content is not processed CSV.</exception>
    public async Task<LoadedObject> LoadAsync(ProcessedObject processed, CancellationToken ct)
    {
        var loaded = await warehouse.FindAsync(processed.Key, ct)
                     ?? await warehouse.LoadAsync(processed, c => DownloadAsync(processed, c), ct);
        if (processed.IngestionId != Guid.Empty)
            await bus.Publish(new SalesObjectLoaded
            {
                IngestionId = processed.IngestionId, Sequence = processed.Sequence, Bucket = processed.Bucket, ObjectName = processed.Name,
                Generation = processed.Generation, BatchObjects = processed.BatchObjects, Rows = loaded.Rows,
            }, c => c.MessageId = MessageIds.For("loaded/" + processed.Key), ct);
        return loaded;
    }

    // Into a local file that deletes itself when closed: the warehouse may read it by name.
    private async Task<Stream> DownloadAsync(ProcessedObject processed, CancellationToken ct)
    {
        var file = new FileStream(Path.Combine(Path.GetTempPath(), $"coffeemesh-object-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.Read, 1 << 16, FileOptions.DeleteOnClose);
        try
        {
            await storage.DownloadObjectAsync(processed.Bucket, processed.Name, file, new DownloadObjectOptions { Generation = processed.Generation }, ct);
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }
}
