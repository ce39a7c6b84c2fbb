using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using MassTransit;

namespace CoffeeMesh.Ingest.Ledger;

/// <summary>A store's own count of an ingestion, into the ledger: it verifies the stages' reports and completes the ingestion.</summary>
public sealed class IngestionCountedLedgerConsumer(IngestionLedger ledger) : IConsumer<IngestionCounted>
{
    public Task Consume(ConsumeContext<IngestionCounted> context) =>
        ledger.RecordCountAsync(context.MessageId!.Value, context.Message, context.CancellationToken);
}

public sealed class IngestionCountedLedgerConsumerDefinition : ConsumerDefinition<IngestionCountedLedgerConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<IngestionCountedLedgerConsumer> consumer,
        IRegistrationContext context) => endpoint.UseMessageRetry(TransientRetry.Configure);
}
