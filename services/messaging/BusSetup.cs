using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging.Telemetry;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CoffeeMesh.Messaging;

public static class BusSetup
{
    /// <summary>
    /// MassTransit on RabbitMQ from <c>ConnectionStrings:rabbitmq</c> (an amqp:// URI). Queue names are
    /// kebab-case, prefixed by <c>Messaging:QueuePrefix</c> when set (tests isolate themselves that way).
    /// Every consumption goes through <see cref="ConsumeTelemetryFilter{T}"/>.
    /// </summary>
    public static IHostApplicationBuilder AddCoffeeMeshBus(
        this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var connectionString = builder.Configuration.GetConnectionString("rabbitmq")
            ?? throw new InvalidOperationException("ConnectionStrings:rabbitmq is not set.");
        var prefix = builder.Configuration["Messaging:QueuePrefix"];

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(
                string.IsNullOrWhiteSpace(prefix) ? null : prefix, includeNamespace: false));
            configure?.Invoke(bus);

            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(connectionString));
                // Around every consumption: consumer lag, carried headers, a log scope {IngestionId, Sequence}.
                cfg.UseConsumeFilter(typeof(ConsumeTelemetryFilter<>), context);
                // What a consumer publishes or sends carries the consumed message's CoffeeMesh-* headers on.
                cfg.ConfigurePublish(p => p.UseExecute(c => CarriedHeaders.ApplyTo(c.Headers, CarriedHeaders.Current)));
                cfg.ConfigureSend(p => p.UseExecute(c => CarriedHeaders.ApplyTo(c.Headers, CarriedHeaders.Current)));
                // The marker interfaces are for logging: no exchanges for them.
                cfg.Publish<IIngestionMessage>(p => p.Exclude = true);
                cfg.Publish<IBatchMessage>(p => p.Exclude = true);
                // Exchanges are named after message types; a prefix keeps test runs apart there too.
                if (!string.IsNullOrWhiteSpace(prefix))
                    cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, prefix + "."));
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        return builder;
    }

    private sealed class PrefixEntityNameFormatter(IEntityNameFormatter inner, string prefix) : IEntityNameFormatter
    {
        public string FormatEntityName<T>() => prefix + inner.FormatEntityName<T>();
    }
}
