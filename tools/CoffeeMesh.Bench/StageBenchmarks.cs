using System.Diagnostics;
using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest.Reading;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Inbox;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.OlapSync;
using CoffeeMesh.OltpWriter;
using CoffeeMesh.Transform.Cleaning;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoffeeMesh.Bench;

/// <summary>Each stage's own code on its own, in this process: where the time goes, without the bus.</summary>
public static class StageBenchmarks
{
    public static async Task<double> ReadAsync(string file, int batchSize)
    {
        var reader = new SalesFileReader(64 * 1024, 8 * 1024 * 1024);
        long rows = 0;
        var sw = Stopwatch.StartNew();
        await foreach (var chunk in reader.ReadAsync(file, new ReadPosition(0, 1), new FileInfo(file).Length, null, batchSize, CancellationToken.None))
            rows += chunk.Count;
        return rows / sw.Elapsed.TotalSeconds;
    }

    public static async Task<double> CleanAsync(string file, int batchSize)
    {
        var reader = new SalesFileReader(64 * 1024, 8 * 1024 * 1024);
        var cleaner = new BatchCleaner(new SalesRowCleaner(new CleaningOptions()));
        long rows = 0;
        var clean = TimeSpan.Zero;
        await foreach (var chunk in reader.ReadAsync(file, new ReadPosition(0, 1), new FileInfo(file).Length, null, batchSize, CancellationToken.None))
        {
            var sw = Stopwatch.StartNew();
            cleaner.Clean(Batch(chunk, 0)).ToMessage();
            clean += sw.Elapsed;
            rows += chunk.Count;
        }
        return rows / clean.TotalSeconds;
    }

    /// <summary>
    /// oltp-writer's write path (staging load, upsert, quarantine, inbox, outbox) into a scratch
    /// database, as many batches at a time as the service consumes at once. Only write time is counted.
    /// </summary>
    /// <returns>rows/s, and the "stored" events of the batches written (for the OLAP stage).</returns>
    public static async Task<(double RowsPerSecond, List<SalesBatchStored> Stored, Dictionary<string, double> Cpu)> WriteAsync(string file, int batchSize, string connectionString, int concurrency)
    {
        var store = ServiceStore.MySql(connectionString);
        await Migrations.ApplyAsync(store, OltpSchema.Migrations, NullLogger.Instance, CancellationToken.None);
        var writer = new SalesBatchWriter(store, new Inbox(store), new Outbox(new OutboxSignal()));
        var reader = new SalesFileReader(64 * 1024, 8 * 1024 * 1024);
        var cleaner = new BatchCleaner(new SalesRowCleaner(new CleaningOptions()));
        var ingestion = Guid.NewGuid();
        var batches = new List<CleanSalesBatch>();
        long rows = 0;
        var sequence = 0;
        await foreach (var chunk in reader.ReadAsync(file, new ReadPosition(0, 1), new FileInfo(file).Length, null, batchSize, CancellationToken.None))
        {
            var clean = cleaner.Clean(Batch(chunk, sequence++) with { IngestionId = ingestion }).ToMessage();
            batches.Add(clean);
            rows += clean.SalesCount;
        }
        var cpu = new CpuSample();
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (b, ct) =>
        {
            for (var attempt = 0; ; attempt++)
            {
                try { await writer.WriteAsync(b, MessageIds.For("clean", b.IngestionId, b.Sequence), ct); return; }
                catch (MySqlConnector.MySqlException e) when (TransientRetry.IsTransient(e) && attempt < 10) { await Task.Delay(20, ct); }
            }
        });
        var rate = rows / sw.Elapsed.TotalSeconds;
        var spent = cpu.Stop();
        // The events as the writer published them (its outbox), so the sync stage sees what olap-sync would.
        var stored = new List<SalesBatchStored>();
        await using (var c = (MySqlConnector.MySqlConnection)await store.OpenAsync(CancellationToken.None))
        await using (var events = await c.Command("SELECT body FROM outbox_message WHERE message_type = @type ORDER BY sequence_number")
                         .With("@type", Outbox.TypeName(typeof(SalesBatchStored))).ExecuteReaderAsync())
            while (await events.ReadAsync())
                stored.Add(Outbox.ReadBody<SalesBatchStored>(events.GetString(0)));
        return (rate, stored, spent);
    }

    /// <summary>
    /// olap-sync's path (MySQL read by version range, COPY, dimension and fact upserts,
    /// inbox, outbox) from the writer stage's MySQL database into a scratch PostgreSQL database, as
    /// many batches at a time as the service consumes at once.
    /// </summary>
    public static async Task<(double RowsPerSecond, Dictionary<string, double> Cpu)> SyncAsync(IReadOnlyList<SalesBatchStored> stored, string oltpConnectionString, string olapConnectionString, int concurrency)
    {
        var store = ServiceStore.PostgreSql(olapConnectionString);
        await Migrations.ApplyAsync(store, OlapSchema.Migrations, NullLogger.Instance, CancellationToken.None);
        var sync = new SalesBatchSync(store, new OltpSource(ServiceStore.MySql(oltpConnectionString)),
            new Inbox(store), new Outbox(new OutboxSignal()));
        long rows = 0;
        var cpu = new CpuSample();
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(stored, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (b, ct) =>
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await sync.SyncAsync(b, MessageIds.For("stored", b.IngestionId, b.Sequence), ct);
                    Interlocked.Add(ref rows, b.RowsStored);
                    return;
                }
                catch (Npgsql.NpgsqlException e) when (TransientRetry.IsTransient(e) && attempt < 10) { await Task.Delay(20, ct); }
            }
        });
        var rate = rows / sw.Elapsed.TotalSeconds;
        var spent = cpu.Stop();
        await store.DataSource.DisposeAsync(); // closes its pooled connections, so the scratch database can be dropped
        return (rate, spent);
    }

    private static RawSalesBatch Batch(ReadChunk chunk, int sequence) => chunk.ToBatch(Guid.Empty, ingestionNumber: 1, sequence);
}
