using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using MassTransit;

namespace CoffeeMesh.Ingest.Ledger;

/// <summary>transform's outcome of a batch, into the ledger (rows in: read; out: accepted).</summary>
public sealed class BatchCleanedLedgerConsumer(IngestionLedger ledger) : IConsumer<SalesBatchCleaned>
{
    public Task Consume(ConsumeContext<SalesBatchCleaned> context)
    {
        var m = context.Message;
        return ledger.RecordBatchAsync(IngestionLedger.Transform, context.MessageId!.Value, m.IngestionId,
            new BatchOutcome(m.Sequence, m.RowsRead, m.Accepted, m.Quarantined, m.OutOfRange, 0, 0), new Dictionary<string, int>(), context.CancellationToken);
    }
}

public sealed class BatchCleanedLedgerConsumerDefinition : ConsumerDefinition<BatchCleanedLedgerConsumer>
{
    public BatchCleanedLedgerConsumerDefinition() => ConcurrentMessageLimit = 4;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<BatchCleanedLedgerConsumer> consumer,
        IRegistrationContext context) => endpoint.UseMessageRetry(TransientRetry.Configure);
}
