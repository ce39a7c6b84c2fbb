using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Storage;
using MassTransit;

namespace CoffeeMesh.OlapSync;

/// <summary>Queue fact-count. Answers ingest's IngestionCountRequested with the star schema's own count (IngestionCounted). Read-only: a copy answers twice, harmlessly.</summary>
public sealed class FactCountConsumer(ServiceStore store) : IConsumer<IngestionCountRequested>
{
    public async Task Consume(ConsumeContext<IngestionCountRequested> context) =>
        await context.Publish(await FactCount.CountAsync(store, context.Message, context.CancellationToken), context.CancellationToken);
}

public sealed class FactCountConsumerDefinition : ConsumerDefinition<FactCountConsumer>
{
    public FactCountConsumerDefinition() => ConcurrentMessageLimit = 2;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<FactCountConsumer> consumer,
        IRegistrationContext context) => endpoint.UseMessageRetry(TransientRetry.Configure);
}
