using System.Text.Json;
using MassTransit;
using RabbitMQ.Client;

namespace CoffeeMesh.Ingest.Failures;

/// <summary>
/// The mesh's dead-letter queues: each stage's <c>_error</c> queue, where MassTransit moves a message
/// its consumer gave up on. <see cref="CountAsync"/> says how many wait in each; <see cref="ReplayAsync"/>
/// sends them back to the queue they came from (all, or one ingestion's), so that after a fix the
/// ingestion can complete. Replaying is safe to repeat: every consumer keeps an inbox keyed by
/// message id, and a message is acknowledged off the error queue only after the broker confirmed it
/// back on its own queue.
/// </summary>
public sealed class DeadLetters(IConfiguration configuration, IEndpointNameFormatter names, StageFailures failures, ILogger<DeadLetters> logger)
{
    /// <summary>A stage's queue: the stage and the consumer's queue (the error queue adds "_error").</summary>
    public sealed record Queue(string Stage, string Name)
    {
        public string ErrorQueue => Name + "_error";
    }

    /// <summary>Every consumer of the mesh, by stage; queue names come from the same formatter (and prefix) the services use.</summary>
    public IReadOnlyList<Queue> Queues =>
    [
        new("ingest", names.Consumer<IngestionRequestedConsumer>()),
        new("transform", names.Consumer<RawSalesBatchConsumer>()),
        new("oltp-writer", names.Consumer<CleanSalesBatchConsumer>()),
        new("oltp-writer", names.Consumer<IngestionReadConsumer>()),
        new("olap-sync", names.Consumer<SalesBatchStoredConsumer>()),
        new("cloud-publisher", names.Consumer<SalesBatchSyncedConsumer>()),
        new("ingest", names.Consumer<StageFaultConsumer>()),
    ];

    // Stand-ins with the stages' consumer names: the formatter names a queue after its consumer's type name.
    private sealed class IngestionRequestedConsumer : IConsumer { }
    private sealed class RawSalesBatchConsumer : IConsumer { }
    private sealed class CleanSalesBatchConsumer : IConsumer { }
    private sealed class IngestionReadConsumer : IConsumer { }
    private sealed class SalesBatchStoredConsumer : IConsumer { }
    private sealed class SalesBatchSyncedConsumer : IConsumer { }

    /// <summary>How many messages wait in each error queue (absent queues are left out).</summary>
    public async Task<IReadOnlyList<(Queue Queue, uint Messages)>> CountAsync(CancellationToken ct)
    {
        await using var connection = await ConnectAsync(ct);
        var counts = new List<(Queue, uint)>();
        foreach (var queue in Queues)
        {
            // A passive declare of a queue that is not there closes the channel: one channel per queue.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            try { counts.Add((queue, (await channel.QueueDeclarePassiveAsync(queue.ErrorQueue, ct)).MessageCount)); }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { }
        }
        return counts;
    }

    /// <summary>
    /// Moves the dead-lettered messages (of one ingestion, or all) back to their queues, after
    /// marking their failures resolved: a message that fails again is recorded again.
    /// </summary>
    /// <returns>How many messages went back, per error queue.</returns>
    public async Task<IReadOnlyList<(Queue Queue, int Replayed)>> ReplayAsync(Guid? ingestionId, CancellationToken ct)
    {
        await failures.ResolveAsync(ingestionId, ct);
        await using var connection = await ConnectAsync(ct);
        var result = new List<(Queue, int)>();
        foreach (var queue in Queues)
        {
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            uint waiting;
            try { waiting = (await channel.QueueDeclarePassiveAsync(queue.ErrorQueue, ct)).MessageCount; }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException) { continue; }
            var replayed = 0;
            // Each message present at the start is looked at once: others of other ingestions go to the back of the error queue.
            for (var i = 0; i < waiting; i++)
            {
                var message = await channel.BasicGetAsync(queue.ErrorQueue, autoAck: false, ct);
                if (message is null) break;
                var ours = ingestionId is null || IngestionOf(message.Body) == ingestionId;
                var properties = new BasicProperties(message.BasicProperties);
                if (ours && properties.Headers is { } headers)
                    foreach (var key in headers.Keys.Where(k => k.StartsWith("MT-Fault-", StringComparison.Ordinal) || k == "MT-Reason").ToList())
                        headers.Remove(key);
                // MassTransit binds each receive queue to an exchange of its own name.
                await channel.BasicPublishAsync(ours ? queue.Name : queue.ErrorQueue, "", mandatory: false, properties, message.Body, ct);
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
                if (ours) replayed++;
            }
            if (replayed > 0) logger.LogInformation("Replayed {Count} messages from {ErrorQueue} to {Queue}", replayed, queue.ErrorQueue, queue.Name);
            result.Add((queue, replayed));
        }
        return result;
    }

    /// <summary>The ingestion a MassTransit envelope's message belongs to (its "ingestionId"), if it names one.</summary>
    private static Guid? IngestionOf(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("message", out var message)
                   && (message.TryGetProperty("ingestionId", out var id) || (message.TryGetProperty("message", out var inner) && inner.TryGetProperty("ingestionId", out id)))
                   && id.TryGetGuid(out var guid)
                ? guid
                : null;
        }
        catch (JsonException) { return null; }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        var uri = configuration.GetConnectionString("rabbitmq") ?? throw new InvalidOperationException("ConnectionStrings:rabbitmq is not set.");
        return await new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "coffeemesh-ingest-dead-letters" }.CreateConnectionAsync(ct);
    }
}
