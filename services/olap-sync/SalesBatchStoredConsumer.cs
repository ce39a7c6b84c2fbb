using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using MassTransit;

namespace CoffeeMesh.OlapSync;

public sealed class SalesBatchStoredConsumer(SalesBatchSync sync, ILogger<SalesBatchStoredConsumer> logger) : IConsumer<SalesBatchStored>
{
    public async Task Consume(ConsumeContext<SalesBatchStored> context)
    {
        var batch = context.Message;
        var messageId = context.MessageId ?? throw new InvalidOperationException("SalesBatchStored without a message id");
        if (!await sync.SyncAsync(batch, messageId, context.CancellationToken))
            logger.LogInformation("Batch {IngestionId}/{Sequence} already synced; duplicate dropped", batch.IngestionId, batch.Sequence);
    }
}

public sealed class SalesBatchStoredConsumerDefinition : ConsumerDefinition<SalesBatchStoredConsumer>
{
    public SalesBatchStoredConsumerDefinition()
    {
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<SalesBatchStoredConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 8;
        endpoint.UseMessageRetry(TransientRetry.Configure);
    }
}
