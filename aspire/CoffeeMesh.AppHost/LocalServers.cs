using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;
using Npgsql;
using RabbitMQ.Client;

namespace CoffeeMesh.AppHost;

/// <summary>
/// A server started outside the AppHost (scripts/infra.sh), shown in the dashboard as a resource
/// with its health, so that the services can wait for it. Its connection string, when it has one,
/// is the one the services are given (RabbitMQ's); a database server's databases are resources of
/// their own under it.
/// </summary>
public sealed class LocalServerResource(string name, ReferenceExpression connectionString) : Resource(name), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression { get; } = connectionString;
}

/// <summary>
/// The local servers as dashboard resources: RabbitMQ, MariaDB (our MySQL) and PostgreSQL, each
/// Running from the start (they were started before the AppHost) and Healthy while a connection
/// to it succeeds (the AppHost's health checks, every few seconds).
/// </summary>
public static class LocalServers
{
    /// <summary>RabbitMQ from <c>ConnectionStrings:rabbitmq</c> (an amqp:// URI); healthy while an AMQP connection is open.</summary>
    public static IResourceBuilder<LocalServerResource> AddLocalRabbitMq(this IDistributedApplicationBuilder builder, string name)
    {
        var uri = Required(builder.Configuration, name);
        IConnection? connection = null;
        var gate = new SemaphoreSlim(1, 1);
        // One connection for the checks, opened on first use (and again if it could not be); the
        // client recovers it after a broker restart, and the check reports it closed meanwhile.
        builder.Services.AddHealthChecks().AddRabbitMQ(async _ =>
        {
            await gate.WaitAsync();
            try { return connection ??= await new ConnectionFactory { Uri = new Uri(uri), ClientProvidedName = "coffeemesh-apphost-health" }.CreateConnectionAsync(); }
            finally { gate.Release(); }
        }, name: HealthKey(name));
        var endpoint = new Uri(uri);
        return builder.AddLocalServer(name, "RabbitMQ", $"{endpoint.Host}:{endpoint.Port}", ReferenceExpression.Create($"{uri}"));
    }

    /// <summary>MariaDB of <c>ConnectionStrings:{connectionName}</c>'s server (its database aside); healthy while SELECT 1 answers.</summary>
    public static IResourceBuilder<LocalServerResource> AddLocalMariaDb(this IDistributedApplicationBuilder builder, string name, string connectionName)
    {
        var server = new MySqlConnectionStringBuilder(Required(builder.Configuration, connectionName)) { Database = "" };
        builder.Services.AddHealthChecks().AddAsyncCheck(HealthKey(name), async ct =>
        {
            try
            {
                await using var c = new MySqlConnection(server.ConnectionString);
                await c.OpenAsync(ct);
                await using var command = new MySqlCommand("SELECT 1", c);
                await command.ExecuteScalarAsync(ct);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is MySqlException or InvalidOperationException or TimeoutException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy(e.Message, e);
            }
        });
        return builder.AddLocalServer(name, "MariaDB", $"{server.Server}:{server.Port}", ReferenceExpression.Create($"{server.ConnectionString}"));
    }

    /// <summary>PostgreSQL of <c>ConnectionStrings:{connectionName}</c>'s server, through its <c>postgres</c> database; healthy while SELECT 1 answers.</summary>
    public static IResourceBuilder<LocalServerResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name, string connectionName)
    {
        // The maintenance database: a run's own database may not exist until olap-sync, which waits for this check, creates it.
        var server = new NpgsqlConnectionStringBuilder(Required(builder.Configuration, connectionName)) { Database = "postgres" };
        builder.Services.AddHealthChecks().AddNpgSql(server.ConnectionString, name: HealthKey(name));
        return builder.AddLocalServer(name, "PostgreSQL", $"{server.Host}:{server.Port}", ReferenceExpression.Create($"{server.ConnectionString}"));
    }

    private static IResourceBuilder<LocalServerResource> AddLocalServer(this IDistributedApplicationBuilder builder, string name, string type, string endpoint,
        ReferenceExpression connectionString) =>
        builder.AddResource(new LocalServerResource(name, connectionString))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = type,
                Properties = [new ResourcePropertySnapshot("endpoint", endpoint), new ResourcePropertySnapshot("started by", "scripts/infra.sh")],
            })
            .WithHealthCheck(HealthKey(name))
            // Already running when the AppHost starts: its health says whether it answers.
            .OnInitializeResource((resource, e, _) => e.Notifications.PublishUpdateAsync(resource, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            }))
            .ExcludeFromManifest();

    private static string HealthKey(string name) => $"{name}_server_check";

    private static string Required(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value ? value
        : throw new InvalidOperationException($"ConnectionStrings:{name} is not set: ./coffeemesh up sets it from .infra/connections.env (scripts/infra.sh)");
}
