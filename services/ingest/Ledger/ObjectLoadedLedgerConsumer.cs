using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using MassTransit;

namespace CoffeeMesh.Ingest.Ledger;

/// <summary>warehouse-loader's load of one processed object, into the ledger (per object; per batch once all its objects are in).</summary>
public sealed class ObjectLoadedLedgerConsumer(IngestionLedger ledger) : IConsumer<SalesObjectLoaded>
{
    public Task Consume(ConsumeContext<SalesObjectLoaded> context) =>
        ledger.RecordObjectLoadedAsync(context.MessageId!.Value, context.Message, context.CancellationToken);
}

public sealed class ObjectLoadedLedgerConsumerDefinition : ConsumerDefinition<ObjectLoadedLedgerConsumer>
{
    public ObjectLoadedLedgerConsumerDefinition() => ConcurrentMessageLimit = 4;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ObjectLoadedLedgerConsumer> consumer,
        IRegistrationContext context) => endpoint.UseMessageRetry(TransientRetry.Configure);
}
