using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using MassTransit;

namespace CoffeeMesh.Ingest.Ledger;

/// <summary>oltp-writer's outcome of a batch, into the ledger (rows out: stored in MySQL); wakes read-ahead.</summary>
public sealed class BatchStoredLedgerConsumer(IngestionLedger ledger) : IConsumer<SalesBatchStored>
{
    public Task Consume(ConsumeContext<SalesBatchStored> context)
    {
        var m = context.Message;
        return ledger.RecordBatchAsync(IngestionLedger.OltpWriter, context.MessageId!.Value, m.IngestionId,
            new BatchOutcome(m.Sequence, m.RowsRead, m.RowsStored, m.Quarantined, m.OutOfRange, m.Superseded, 0), m.QuarantinedByReason, context.CancellationToken);
    }
}

public sealed class BatchStoredLedgerConsumerDefinition : ConsumerDefinition<BatchStoredLedgerConsumer>
{
    public BatchStoredLedgerConsumerDefinition() => ConcurrentMessageLimit = 4;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<BatchStoredLedgerConsumer> consumer,
        IRegistrationContext context) => endpoint.UseMessageRetry(TransientRetry.Configure);
}
