using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CoffeeMesh.Messaging;

public static class StoreSetup
{
    /// <summary>
    /// Registers the service's own database (from <c>ConnectionStrings:{name}</c>) with its
    /// outbox, inbox, the delivery loop, housekeeping and the outbox's health check (Degraded while
    /// messages wait too long).
    /// </summary>
    public static IHostApplicationBuilder AddServiceStore(this IHostApplicationBuilder builder, string connectionName, StoreDialect dialect)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set.");
        var store = dialect == StoreDialect.MySql ? ServiceStore.MySql(connectionString) : ServiceStore.PostgreSql(connectionString);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<Outbox.Outbox>();
        builder.Services.AddSingleton<Inbox.Inbox>();
        builder.Services.Configure<OutboxOptions>(builder.Configuration.GetSection("Outbox"));
        builder.Services.AddHostedService<OutboxDelivery>();
        builder.Services.AddHostedService<MessagingHousekeeping>();
        builder.Services.AddSingleton<OutboxBacklog>();
        builder.Services.AddHealthChecks().AddCheck<OutboxBacklog>("outbox");
        return builder;
    }
}
