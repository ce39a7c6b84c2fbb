using System.Collections.Concurrent;
using System.Diagnostics;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.Messaging.Telemetry;
using CoffeeMesh.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CoffeeMesh.Tests.Messaging;

/// <summary>
/// A real host with the shared bus setup (RabbitMQ), a service store and, optionally, the outbox
/// delivery loop; it records the SalesBatchStored events it receives.
/// </summary>
public sealed class MessagingHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ConcurrentBag<Received> _received;
    public IServiceProvider Services => _host.Services;

    private MessagingHost(IHost host, ConcurrentBag<Received> received) => (_host, _received) = (host, received);

    public static async Task<MessagingHost> StartAsync(string connectionString, StoreDialect dialect, string prefix, bool deliver = true, bool consume = true,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:rabbitmq"] = TestEnvironment.Get("ConnectionStrings__rabbitmq");
        builder.Configuration["ConnectionStrings:store"] = connectionString;
        builder.Configuration["Messaging:QueuePrefix"] = prefix;
        builder.Configuration["Outbox:PollInterval"] = "00:00:00.500";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.Configuration[key] = value;
        var received = new ConcurrentBag<Received>();
        builder.Services.AddSingleton(received);
        // The bus first, as in the services: its endpoints are up before the delivery loop publishes.
        builder.AddCoffeeMeshBus(bus => { if (consume) bus.AddConsumer<RecordingConsumer>(); });
        builder.AddServiceStore("store", dialect);
        if (!deliver)
            foreach (var d in builder.Services.Where(s => s.ImplementationType?.Namespace == "CoffeeMesh.Messaging.Outbox" && s.ServiceType == typeof(IHostedService)).ToList())
                builder.Services.Remove(d);
        var host = builder.Build();
        await host.Services.MigrateAsync([MessagingSchema.Migration(dialect, 1)], CancellationToken.None);
        await host.StartAsync();
        return new MessagingHost(host, received);
    }

    /// <summary>A message as the consumer saw it: with the trace it was consumed in and the ingestion creation time it carried.</summary>
    public sealed record Received(Guid MessageId, SalesBatchStored Message, DateTime ReceivedAt, ActivityTraceId? TraceId, string? IngestionCreated);

    public IReadOnlyList<Received> Messages => _received.ToList();

    public async Task WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_received.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    public sealed class RecordingConsumer(ConcurrentBag<Received> received) : IConsumer<SalesBatchStored>
    {
        public Task Consume(ConsumeContext<SalesBatchStored> context)
        {
            received.Add(new Received(context.MessageId!.Value, context.Message, DateTime.UtcNow, Activity.Current?.TraceId,
                CarriedHeaders.Current?.GetValueOrDefault(CarriedHeaders.IngestionCreated)));
            return Task.CompletedTask;
        }
    }
}
