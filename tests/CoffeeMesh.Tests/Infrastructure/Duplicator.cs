using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>
/// Delivers every message of the mesh's stages twice, through the real broker: a queue of its own
/// is bound to each message type's exchange, and each copy it receives is published again into the
/// consumer's queue (through the exchange MassTransit binds to that queue alone, so copies are
/// never copied again). Dispose to stop and remove its queues.
/// </summary>
public sealed class Duplicator : IAsyncDisposable
{
    private static readonly (string Type, string Consumer)[] Routes =
    [
        ("IngestionRequested", "ingestion-requested"), ("RawSalesBatch", "raw-sales-batch"), ("CleanSalesBatch", "clean-sales-batch"),
        ("SalesBatchStored", "sales-batch-stored"), ("SalesBatchSynced", "sales-batch-synced"),
        // The ingestion ledger's events and the stores' counts.
        ("SalesBatchCleaned", "batch-cleaned-ledger"), ("SalesBatchStored", "batch-stored-ledger"), ("SalesBatchSynced", "batch-synced-ledger"),
        ("SalesBatchPublished", "batch-published-ledger"),
        ("IngestionCountRequested", "sales-count"), ("IngestionCountRequested", "fact-count"), ("IngestionCounted", "ingestion-counted-ledger"),
    ];

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _prefix;
    private int _copies;

    /// <summary>How many messages were delivered a second time so far.</summary>
    public int Copies => Volatile.Read(ref _copies);

    private Duplicator(IConnection connection, IChannel channel, string prefix) => (_connection, _channel, _prefix) = (connection, channel, prefix);

    public static async Task<Duplicator> StartAsync(string prefix)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(TestEnvironment.Get("ConnectionStrings__rabbitmq")) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        // The copies go out on a channel of their own, with confirms: a copy is acknowledged off our queue only once the broker has it.
        var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var duplicator = new Duplicator(connection, channel, prefix);
        foreach (var (type, consumer) in Routes)
        {
            var queue = $"{prefix}-duplicate-{consumer}";
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(queue, $"{prefix}.CoffeeMesh.Contracts:{type}", "");
            var receiver = new AsyncEventingBasicConsumer(channel);
            var target = $"{prefix}-{consumer}";
            receiver.ReceivedAsync += async (_, delivery) =>
            {
                await publisher.BasicPublishAsync(target, "", mandatory: false, new BasicProperties(delivery.BasicProperties), delivery.Body);
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                Interlocked.Increment(ref duplicator._copies);
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, receiver);
        }
        return duplicator;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, consumer) in Routes) await _channel.QueueDeleteAsync($"{_prefix}-duplicate-{consumer}");
        await _channel.CloseAsync();
        await _connection.CloseAsync();
    }
}
