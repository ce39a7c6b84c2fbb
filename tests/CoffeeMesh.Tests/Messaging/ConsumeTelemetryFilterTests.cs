using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Telemetry;
using CoffeeMesh.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CoffeeMesh.Tests.Messaging;

/// <summary>What the bus does around every consumption (BusSetup's filter), on real RabbitMQ.</summary>
public sealed class ConsumeTelemetryFilterTests
{
    // Message types of this test only, so that the lag measured for them is this test's.
    public sealed record TelemetryProbe(Guid IngestionId, int Sequence) : IBatchMessage;
    public sealed record TelemetryEcho(Guid IngestionId) : IIngestionMessage;

    public sealed class ProbeConsumer(ILogger<ProbeConsumer> logger) : IConsumer<TelemetryProbe>
    {
        public async Task Consume(ConsumeContext<TelemetryProbe> context)
        {
            logger.LogInformation("probe consumed");
            await context.Publish(new TelemetryEcho(context.Message.IngestionId));
        }
    }

    public sealed class EchoConsumer(ConcurrentQueue<(Guid, string?)> echoes) : IConsumer<TelemetryEcho>
    {
        public Task Consume(ConsumeContext<TelemetryEcho> context)
        {
            echoes.Enqueue((context.Message.IngestionId, CarriedHeaders.Current?.GetValueOrDefault(CarriedHeaders.IngestionCreated)));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Consuming_a_batch_scopes_its_logs_measures_its_wait_and_carries_its_headers_on()
    {
        var prefix = TestEnvironment.RunId + "-consume-telemetry";
        var logs = new ScopeCapturingLogger();
        var echoes = new ConcurrentQueue<(Guid, string?)>();
        var lags = new ConcurrentQueue<(double Seconds, string? MessageType)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MessagingDiagnostics.MeterName && instrument.Name == "coffeemesh.consumer.lag") l.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "message_type") lags.Enqueue((value, tag.Value as string));
        });
        meters.Start();

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:rabbitmq"] = TestEnvironment.Get("ConnectionStrings__rabbitmq");
        builder.Configuration["Messaging:QueuePrefix"] = prefix;
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddSingleton(echoes);
        builder.AddCoffeeMeshBus(bus =>
        {
            bus.AddConsumer<ProbeConsumer>();
            bus.AddConsumer<EchoConsumer>();
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var id = Guid.NewGuid();
            const string created = "2025-03-04T05:06:07.0000000Z";
            await host.Services.GetRequiredService<IBus>().Publish(new TelemetryProbe(id, 7), ctx => ctx.Headers.Set(CarriedHeaders.IngestionCreated, created));

            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!echoes.Any(e => e.Item1 == id) && DateTime.UtcNow < deadline) await Task.Delay(50);

            var line = Assert.Single(logs.Lines, l => l.Message == "probe consumed");
            Assert.Equal(id, line.Scopes["IngestionId"]);
            Assert.Equal(7, line.Scopes["Sequence"]);
            var (_, carried) = Assert.Single(echoes, e => e.Item1 == id);
            Assert.Equal(created, carried);
            var lag = Assert.Single(lags, l => l.MessageType == nameof(TelemetryProbe));
            Assert.InRange(lag.Seconds, 0, 20);
            Assert.Single(lags, l => l.MessageType == nameof(TelemetryEcho));
        }
        finally
        {
            await host.StopAsync();
            await RabbitCleanup.DeletePrefixedAsync(prefix);
        }
    }

    /// <summary>Keeps each line logged with the scope values around it.</summary>
    private sealed class ScopeCapturingLogger : ILoggerProvider, ISupportExternalScope, ILogger
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
        public ConcurrentQueue<(string Message, Dictionary<string, object?> Scopes)> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;
        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _scopes.Push(state);
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new Dictionary<string, object?>();
            _scopes.ForEachScope((scope, values) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    foreach (var (key, value) in pairs) values[key] = value;
            }, scopes);
            Lines.Enqueue((formatter(state, exception), scopes));
        }

        public void Dispose() { }
    }
}
