using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using MassTransit;

namespace CoffeeMesh.Ingest.Ledger;

/// <summary>
/// cloud-publisher's outcome of a batch, into the ledger (rows in and out: rows in the batch's
/// processed objects). Completion waits for it, and for the warehouse's loads of those objects.
/// </summary>
public sealed class BatchPublishedLedgerConsumer(IngestionLedger ledger) : IConsumer<SalesBatchPublished>
{
    public async Task Consume(ConsumeContext<SalesBatchPublished> context)
    {
        var m = context.Message;
        var rows = (int)Math.Min(m.Rows, int.MaxValue);
        // No object, no finalize event: the warehouse holds such a batch already (nothing of it is current).
        if (m.ObjectNames.Count == 0) await ledger.RecordEmptyBatchLoadedAsync(m.IngestionId, m.Sequence, context.CancellationToken);
        await ledger.RecordBatchAsync(IngestionLedger.CloudPublisher, context.MessageId!.Value, m.IngestionId,
            new BatchOutcome(m.Sequence, rows, rows, 0, 0, 0, 0), new Dictionary<string, int>(), context.CancellationToken);
    }
}

public sealed class BatchPublishedLedgerConsumerDefinition : ConsumerDefinition<BatchPublishedLedgerConsumer>
{
    public BatchPublishedLedgerConsumerDefinition() => ConcurrentMessageLimit = 4;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<BatchPublishedLedgerConsumer> consumer,
        IRegistrationContext context) => endpoint.UseMessageRetry(TransientRetry.Configure);
}
