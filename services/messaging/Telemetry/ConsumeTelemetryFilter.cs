using CoffeeMesh.Contracts;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace CoffeeMesh.Messaging.Telemetry;

/// <summary>
/// Around every consumption (registered once for the bus in <see cref="BusSetup"/>): records the
/// message's wait on the broker (<see cref="PipelineMetrics.Consumed"/>, first attempt only), makes
/// its carried headers current (<see cref="CarriedHeaders"/>), and opens a log scope with the
/// ingestion id and batch sequence of messages that have them (<see cref="IIngestionMessage"/>,
/// <see cref="IBatchMessage"/>), so every line logged while consuming names its ingestion and batch.
/// </summary>
public sealed class ConsumeTelemetryFilter<T>(ILoggerFactory loggers) : IFilter<ConsumeContext<T>> where T : class
{
    private static readonly string MessageType = typeof(T).Name;
    private readonly ILogger _logger = loggers.CreateLogger("CoffeeMesh.Messaging.Consume");

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (context.SentTime is { } sent && context.GetRetryAttempt() == 0 && context.GetRedeliveryCount() == 0)
            PipelineMetrics.Consumed(MessageType, DateTime.SpecifyKind(sent, DateTimeKind.Utc), DateTime.UtcNow);
        using var carried = CarriedHeaders.BeginFrom(context.Headers);
        using var scope = context.Message switch
        {
            IBatchMessage b => _logger.BeginScope(new BatchScope(b.IngestionId, b.Sequence)),
            IIngestionMessage i => _logger.BeginScope(new IngestionScope(i.IngestionId)),
            _ => null,
        };
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("coffeemesh-consume-telemetry");

    // Scope states as key/value lists: OpenTelemetry and the console logger turn them into named attributes.
    private sealed class IngestionScope(Guid ingestionId) : List<KeyValuePair<string, object?>>([new("IngestionId", ingestionId)])
    {
        public override string ToString() => $"IngestionId:{this[0].Value}";
    }

    private sealed class BatchScope(Guid ingestionId, int sequence)
        : List<KeyValuePair<string, object?>>([new("IngestionId", ingestionId), new("Sequence", sequence)])
    {
        public override string ToString() => $"IngestionId:{this[0].Value} Sequence:{this[1].Value}";
    }
}
