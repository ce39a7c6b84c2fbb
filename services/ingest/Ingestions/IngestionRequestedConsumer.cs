using CoffeeMesh.Contracts;
using MassTransit;

namespace CoffeeMesh.Ingest.Ingestions;

/// <summary>
/// Starts (or resumes) reading an ingestion. The request stays unacknowledged while the file is
/// read, so if this instance dies the broker hands it to another, which resumes at the watermark.
/// </summary>
public sealed class IngestionRequestedConsumer(IngestionRunner runner) : IConsumer<IngestionRequested>
{
    public Task Consume(ConsumeContext<IngestionRequested> context) =>
        runner.RunAsync(context.Message, context, context.CancellationToken);
}

public sealed class IngestionRequestedConsumerDefinition : ConsumerDefinition<IngestionRequestedConsumer>
{
    public IngestionRequestedConsumerDefinition()
    {
        // Reading is I/O and publish bound; two files at a time per replica keeps memory flat.
        ConcurrentMessageLimit = 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<IngestionRequestedConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 2;
        endpoint.UseMessageRetry(r => r.Exponential(10, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1)));
    }
}
