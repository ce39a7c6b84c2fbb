using CoffeeMesh.Messaging;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging.Inbox;
using CoffeeMesh.Messaging.Storage;
using MassTransit;

namespace CoffeeMesh.OltpWriter;

/// <summary>Records how many rows and batches an ingestion read: the denominator of its accounting.</summary>
public sealed class IngestionReadConsumer(ServiceStore store, Inbox inbox) : IConsumer<IngestionRead>
{
    public async Task Consume(ConsumeContext<IngestionRead> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        await using var connection = await store.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await inbox.TryAcceptAsync(connection, tx, "oltp-writer.ingestion-read", context.MessageId!.Value, ct)) return;
        await connection.Command(
                """
                INSERT INTO ingestion (ingestion_id, source, rows_read, batches, error, read_at) VALUES (@id, @source, @rows, @batches, @error, @now)
                ON DUPLICATE KEY UPDATE rows_read = VALUES(rows_read), batches = VALUES(batches), error = VALUES(error), read_at = VALUES(read_at)
                """, tx)
            .With("@id", m.IngestionId).With("@source", m.Source.Length > 1024 ? m.Source[..1024] : m.Source)
            .With("@rows", m.RowsRead).With("@batches", m.Batches).With("@error", m.Error).With("@now", DateTime.UtcNow)
            .ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }
}

public sealed class IngestionReadConsumerDefinition : ConsumerDefinition<IngestionReadConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<IngestionReadConsumer> consumer,
        IRegistrationContext context) => endpoint.UseMessageRetry(TransientRetry.Configure);
}
