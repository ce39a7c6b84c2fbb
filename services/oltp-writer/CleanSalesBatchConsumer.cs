using CoffeeMesh.Messaging;
using CoffeeMesh.Contracts;
using MassTransit;
using MySqlConnector;

namespace CoffeeMesh.OltpWriter;

public sealed class CleanSalesBatchConsumer(SalesBatchWriter writer, ILogger<CleanSalesBatchConsumer> logger) : IConsumer<CleanSalesBatch>
{
    public async Task Consume(ConsumeContext<CleanSalesBatch> context)
    {
        var batch = context.Message;
        var messageId = context.MessageId ?? throw new InvalidOperationException("CleanSalesBatch without a message id");
        if (!await writer.WriteAsync(batch, messageId, context.CancellationToken))
            logger.LogInformation("Batch {IngestionId}/{Sequence} already stored; duplicate dropped", batch.IngestionId, batch.Sequence);
        else
            // Debug, as transform's: which instance stored which batch (docs/containers.md reads it to prove scaling).
            logger.LogDebug("Batch {IngestionId}/{Sequence}: {Sales} sales stored", batch.IngestionId, batch.Sequence, batch.SalesCount);
    }
}

public sealed class CleanSalesBatchConsumerDefinition : ConsumerDefinition<CleanSalesBatchConsumer>
{
    public CleanSalesBatchConsumerDefinition()
    {
        // Two, not four: on two cores, four loads into the same table spent MariaDB's CPU on
        // contention (docs/performance.md).
        ConcurrentMessageLimit = 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<CleanSalesBatchConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 8;
        endpoint.UseMessageRetry(TransientRetry.Configure);
    }
}
