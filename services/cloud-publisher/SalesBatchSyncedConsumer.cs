using System.Net;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using Google;
using MassTransit;

namespace CoffeeMesh.CloudPublisher;

/// <summary>
/// Publishes each batch olap-sync has synced: its current rows, read from MySQL, become processed
/// CSV objects (one per date) in the bucket, then SalesBatchPublished reports them to ingest's
/// ledger. The synced event, not the stored one, so that an object in the bucket means the batch is
/// in both stores, in the pipeline's order. A redelivered batch names the same objects and finds
/// them written (create-only): nothing is written twice, and the report is sent again under the
/// same message id, which the ledger records once.
/// </summary>
public sealed class SalesBatchSyncedConsumer(BatchRows rows, ProcessedObjects objects, Microsoft.Extensions.Options.IOptions<CloudPublisherOptions> options,
    ILogger<SalesBatchSyncedConsumer> logger) : IConsumer<SalesBatchSynced>
{
    public async Task Consume(ConsumeContext<SalesBatchSynced> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        if (m.IngestionNumber is not { } number || m.FirstLine is not { } first || m.LastLine is not { } last)
            throw new InvalidOperationException(
                $"SalesBatchSynced {m.IngestionId}/{m.Sequence} has no row range (IngestionNumber, FirstLine, LastLine): it comes from an olap-sync older than cloud-publisher");
        using var activity = MessagingDiagnostics.ActivitySource.StartActivity("cloud-publisher publish batch");
        activity?.SetTag("coffeemesh.ingestion_id", m.IngestionId).SetTag("coffeemesh.sequence", m.Sequence);

        await objects.EnsureBucketAsync(ct);
        var parts = await rows.ReadAsync(number, first, last, ct);
        var names = new List<string>(parts.Count);
        long published = 0;
        try
        {
            foreach (var part in parts)
            {
                var name = ObjectNames.For(options.Value.ObjectPrefix, part.Date, m.IngestionId, m.Sequence);
                published += await objects.CreateAsync(name, part, m.IngestionId, number, m.Sequence, parts.Count, ct);
                names.Add(name);
            }
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
        await context.Publish(new SalesBatchPublished
        {
            IngestionId = m.IngestionId, Sequence = m.Sequence, Rows = published, Bucket = objects.Bucket, ObjectNames = names,
        }, c => c.MessageId = MessageIds.For("published", m.IngestionId, m.Sequence), ct);
        activity?.SetTag("coffeemesh.rows", published);
        logger.LogDebug("Batch {IngestionId}/{Sequence}: {Rows} rows in {Objects} objects", m.IngestionId, m.Sequence, published, names.Count);
    }
}

public sealed class SalesBatchSyncedConsumerDefinition : ConsumerDefinition<SalesBatchSyncedConsumer>
{
    // A batch in flight holds its CSV in memory (about 1 MB per 10,000 rows); four at once keep the
    // bucket busy without competing with the stores for the CPU.
    public SalesBatchSyncedConsumerDefinition() => ConcurrentMessageLimit = 4;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<SalesBatchSyncedConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 8;
        endpoint.UseMessageRetry(r =>
        {
            TransientRetry.Configure(r);
            // GCS (or the emulator) unreachable, throttling or failing for a while: the batch waits and is tried again.
            r.Handle<HttpRequestException>();
            r.Handle<GoogleApiException>(IsTransient);
        });
    }

    /// <summary>429, 408 and 5xx: what GCS's retry guidance calls retryable.</summary>
    public static bool IsTransient(GoogleApiException e) =>
        e.HttpStatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)e.HttpStatusCode >= 500;
}
