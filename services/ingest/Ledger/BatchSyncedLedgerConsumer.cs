using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using MassTransit;

namespace CoffeeMesh.Ingest.Ledger;

/// <summary>olap-sync's outcome of a batch, into the ledger (rows out: facts; rejected: facts PostgreSQL refused).</summary>
public sealed class BatchSyncedLedgerConsumer(IngestionLedger ledger) : IConsumer<SalesBatchSynced>
{
    public Task Consume(ConsumeContext<SalesBatchSynced> context)
    {
        var m = context.Message;
        return ledger.RecordBatchAsync(IngestionLedger.OlapSync, context.MessageId!.Value, m.IngestionId,
            new BatchOutcome(m.Sequence, m.RowsSynced + m.Rejected, m.RowsSynced, 0, 0, 0, m.Rejected), m.RejectedByReason, context.CancellationToken);
    }
}

public sealed class BatchSyncedLedgerConsumerDefinition : ConsumerDefinition<BatchSyncedLedgerConsumer>
{
    public BatchSyncedLedgerConsumerDefinition() => ConcurrentMessageLimit = 4;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<BatchSyncedLedgerConsumer> consumer,
        IRegistrationContext context) => endpoint.UseMessageRetry(TransientRetry.Configure);
}
