using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// In local mode the servers that scripts/infra.sh started are resources of the AppHost too
/// (what the dashboard lists), each with its health, and the services wait for them.
/// </summary>
public sealed class LocalServerResourceTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Theory]
    [InlineData("rabbitmq", "RabbitMQ")]
    [InlineData("mariadb", "MariaDB")]
    [InlineData("postgres", "PostgreSQL")]
    public async Task A_local_server_is_a_running_resource_reported_healthy(string name, string type)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        var resource = await mesh.App.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);

        Assert.Equal(type, resource.Snapshot.ResourceType);
        Assert.Equal(KnownResourceStates.Running, resource.Snapshot.State?.Text);
        Assert.Equal(HealthStatus.Healthy, resource.Snapshot.HealthStatus);
        Assert.NotEmpty(resource.Snapshot.HealthReports);
    }

    [Fact]
    public async Task The_databases_are_listed_under_their_servers()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        foreach (var (database, server) in new[] { ("oltp", "mariadb"), ("ingestdb", "mariadb"), ("olap", "postgres") })
        {
            var resource = await mesh.App.ResourceNotifications.WaitForResourceAsync(database, _ => true, timeout.Token);
            Assert.Contains(resource.Snapshot.Relationships, r => r.Type == "Parent" && r.ResourceName == server);
        }
    }
}
