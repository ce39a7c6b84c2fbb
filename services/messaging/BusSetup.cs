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
