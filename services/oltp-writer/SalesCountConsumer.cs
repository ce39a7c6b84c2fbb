using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Storage;
using MassTransit;

namespace CoffeeMesh.OltpWriter;

/// <summary>Queue sales-count. Answers ingest's IngestionCountRequested with MySQL's own count (IngestionCounted). Read-only: a copy answers twice, harmlessly.</summary>
public sealed class SalesCountConsumer(ServiceStore store) : IConsumer<IngestionCountRequested>
{
    public async Task Consume(ConsumeContext<IngestionCountRequested> context) =>
        await context.Publish(await IngestionCount.CountAsync(store, context.Message, context.CancellationToken), context.CancellationToken);
}

public sealed class SalesCountConsumerDefinition : ConsumerDefinition<SalesCountConsumer>
{
    public SalesCountConsumerDefinition() => ConcurrentMessageLimit = 2;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<SalesCountConsumer> consumer,
        IRegistrationContext context) => endpoint.UseMessageRetry(TransientRetry.Configure);
}
