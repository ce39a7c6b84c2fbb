using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Transform.Cleaning;
using MassTransit;

namespace CoffeeMesh.Transform;

/// <summary>
/// Stateless: cleans a raw batch and publishes the clean one under a message id derived from
/// (ingestion, sequence), so a redelivered raw batch yields a duplicate that oltp-writer's inbox drops;
/// then its outcome (SalesBatchCleaned) for the ingestion ledger.
/// </summary>
public sealed class RawSalesBatchConsumer(BatchCleaner cleaner, ILogger<RawSalesBatchConsumer> logger) : IConsumer<RawSalesBatch>
{
    public async Task Consume(ConsumeContext<RawSalesBatch> context)
    {
        var clean = cleaner.Clean(context.Message).ToMessage();
        await context.Publish(clean, ctx => ctx.MessageId = MessageIds.For("clean", clean.IngestionId, clean.Sequence));
        // The batch's outcome for ingest's ledger (after the rows: a report never runs ahead of them).
        await context.Publish(new SalesBatchCleaned
        {
            IngestionId = clean.IngestionId, Sequence = clean.Sequence, RowsRead = clean.RowsRead,
            Accepted = clean.SalesCount + clean.Superseded, Quarantined = clean.Quarantined.Count, OutOfRange = clean.OutOfRange,
        }, ctx => ctx.MessageId = MessageIds.For("cleaned", clean.IngestionId, clean.Sequence));
        logger.LogDebug("Batch {IngestionId}/{Sequence}: {Accepted} accepted, {Quarantined} quarantined, {OutOfRange} out of range",
            clean.IngestionId, clean.Sequence, clean.SalesCount + clean.Superseded, clean.Quarantined.Count, clean.OutOfRange);
    }
}

public sealed class RawSalesBatchConsumerDefinition : ConsumerDefinition<RawSalesBatchConsumer>
{
    public RawSalesBatchConsumerDefinition()
    {
        ConcurrentMessageLimit = Environment.ProcessorCount;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<RawSalesBatchConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = Environment.ProcessorCount * 2;
        // Cleaning is deterministic: a retry helps when publishing hit a broker hiccup, or when an
        // allocation failed under the heap limit (seen once while a profiler was attached): give
        // both about a minute before the batch is dead-lettered.
        endpoint.UseMessageRetry(r => r.Exponential(8, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(300)));
    }
}
