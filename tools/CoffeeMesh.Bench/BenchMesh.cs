using Aspire.Hosting;
using Aspire.Hosting.Testing;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoffeeMesh.Bench;

/// <summary>
/// The mesh a bench run measures: the real AppHost in this build's configuration (run the bench's
/// Release build to measure Release), on the local servers, with databases, a queue prefix and a
/// landing folder of its own, so every run inserts into empty tables and no message or file of
/// another run (or of a mesh someone else runs) reaches it. Disposing it stops the mesh and removes
/// all of that again, with the tests' helpers (TestDatabases, RabbitCleanup).
/// </summary>
public sealed class BenchMesh : IAsyncDisposable
{
    private readonly DistributedApplication _app;

    private BenchMesh(DistributedApplication app, string prefix, string oltp, string ingestDb, string olap, string landing)
    {
        _app = app;
        Prefix = prefix;
        OltpConnectionString = oltp;
        IngestConnectionString = ingestDb;
        OlapConnectionString = olap;
        Landing = landing;
    }

    public string Prefix { get; }
    public string OltpConnectionString { get; }
    public string IngestConnectionString { get; }
    public string OlapConnectionString { get; }
    /// <summary>The run's landing folder (its incoming/ is watched, as with ./coffeemesh up).</summary>
    public string Landing { get; }
    /// <summary>The ingest API (HTTP), once the mesh has started.</summary>
    public HttpClient Ingest { get; private set; } = null!;

    /// <summary>Starts the mesh and waits until every service is healthy (four minutes at most).</summary>
    /// <param name="batchSize">Rows per batch (Ingest:BatchSize).</param>
    /// <param name="maxBatchesAhead">Batches read ahead of MySQL (Ingest:MaxBatchesAhead).</param>
    public static async Task<BenchMesh> StartAsync(int batchSize, int maxBatchesAhead)
    {
        var prefix = $"bench{TestEnvironment.RunId}";
        var oltp = TestDatabases.OltpDatabase("bench");
        var ingestDb = TestDatabases.IngestDatabase("bench");
        var olap = TestDatabases.PostgresDatabase("bench");
        var landing = Path.Combine(TestEnvironment.RepoRoot, "bench", "data", $"landing-{TestEnvironment.RunId}");
        Directory.CreateDirectory(landing);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.CoffeeMesh_AppHost>(
        [
            "--CoffeeMesh:Infrastructure=local",
            "--CoffeeMesh:IngestPort=0",
            "--CoffeeMesh:DashboardPort=0",
            $"--CoffeeMesh:BatchSize={batchSize}",
            $"--CoffeeMesh:MaxBatchesAhead={maxBatchesAhead}",
            $"--CoffeeMesh:LandingFolder={landing}",
            $"--Messaging:QueuePrefix={prefix}",
            $"--ConnectionStrings:rabbitmq={TestEnvironment.Get("ConnectionStrings__rabbitmq")}",
            $"--ConnectionStrings:oltp={oltp}",
            $"--ConnectionStrings:ingestdb={ingestDb}",
            $"--ConnectionStrings:olap={olap}",
        ], (options, _) => options.DisableDashboard = true);
        // The report is the output: the AppHost's and the HTTP client's information lines are not.
        // (The AppHost's appsettings.json sets Information by category; configuration wins over SetMinimumLevel.)
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        var app = await builder.BuildAsync();
        var mesh = new BenchMesh(app, prefix, oltp, ingestDb, olap, landing);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await app.StartAsync(timeout.Token);
            foreach (var resource in new[] { "oltp-writer", "transform", "olap-sync", "ingest", "cloud-publisher" })
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            mesh.Ingest = app.CreateHttpClient("ingest", "http");
            mesh.Ingest.Timeout = TimeSpan.FromMinutes(30);
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Ingest?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await TestDatabases.DropMySqlAsync(OltpConnectionString);
        await TestDatabases.DropMySqlAsync(IngestConnectionString);
        await TestDatabases.DropPostgresAsync(OlapConnectionString);
        // MassTransit kebab-cases the prefix, which has no capitals or underscores to change.
        await RabbitCleanup.DeletePrefixedAsync(Prefix);
        try { Directory.Delete(Landing, recursive: true); } catch (IOException) { }
    }
}
