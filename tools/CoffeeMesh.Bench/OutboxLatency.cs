using System.Collections.Concurrent;
using System.Diagnostics;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Storage;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CoffeeMesh.Bench;

/// <summary>A message sent through the outbox only to be timed.</summary>
public record OutboxProbe
{
    public required int Number { get; init; }
}

public sealed record LatencyResult(int Messages, double MedianMs, double P95Ms, double MaxMs);

/// <summary>
/// The outbox's delivery latency: from the commit of the transaction that added a message to its
/// consumption off RabbitMQ, through the real delivery loop, one message per transaction, spaced out
/// as a trickle of batches would be. Same process and clock at both ends.
/// </summary>
public static class OutboxLatency
{
    public static async Task<LatencyResult> MeasureAsync(string connectionString, int messages = 300)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:store"] = connectionString;
        builder.Configuration["Messaging:QueuePrefix"] = "bench";
        var received = new ConcurrentDictionary<int, long>();
        builder.Services.AddSingleton(received);
        builder.AddCoffeeMeshBus(bus => bus.AddConsumer<ProbeConsumer>().Endpoint(e => e.Temporary = true));
        builder.AddServiceStore("store", StoreDialect.MySql);
        using var host = builder.Build();
        await host.Services.MigrateAsync([MessagingSchema.Migration(StoreDialect.MySql, 1)], CancellationToken.None);
        await host.StartAsync();

        var store = host.Services.GetRequiredService<ServiceStore>();
        var outbox = host.Services.GetRequiredService<Messaging.Outbox.Outbox>();
        var committed = new long[messages];
        for (var i = 0; i < messages; i++)
        {
            await using (var connection = await store.OpenAsync(CancellationToken.None))
            await using (var tx = await connection.BeginTransactionAsync())
            {
                await outbox.AddAsync(connection, tx, new OutboxProbe { Number = i }, Guid.NewGuid(), CancellationToken.None);
                await tx.CommitAsync();
                committed[i] = Stopwatch.GetTimestamp();
                outbox.Committed();
            }
            await Task.Delay(10);
        }
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (received.Count < messages && DateTime.UtcNow < deadline) await Task.Delay(50);
        await host.StopAsync();
        if (received.Count < messages) throw new TimeoutException($"outbox latency: {received.Count} of {messages} probes arrived");

        var latencies = received.Select(kv => Stopwatch.GetElapsedTime(committed[kv.Key], kv.Value).TotalMilliseconds).Order().ToArray();
        return new LatencyResult(messages, latencies[latencies.Length / 2], latencies[(int)(latencies.Length * 0.95)], latencies[^1]);
    }

    private sealed class ProbeConsumer(ConcurrentDictionary<int, long> received) : IConsumer<OutboxProbe>
    {
        public Task Consume(ConsumeContext<OutboxProbe> context)
        {
            received.TryAdd(context.Message.Number, Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        }
    }
}
