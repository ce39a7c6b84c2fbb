using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using CoffeeMesh.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MySqlConnector;

[assembly: AssemblyFixture(typeof(CoffeeMesh.Tests.Infrastructure.MeshFixture))]

namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>
/// The whole mesh (the real AppHost, against the local RabbitMQ, MariaDB and PostgreSQL) started
/// once per test run, on first use, and stopped at the end (stopping costs ~12 s). The run gets
/// its own databases, queue/exchange prefix and landing folder, so runs never see each other.
/// </summary>
public class MeshFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly bool _watchIncoming;
    private readonly IReadOnlyList<string> _extraArgs;
    private DistributedApplication? _app;
    private Exception? _startFailure;

    /// <summary>The shared mesh: files in landing/incoming/ are scanned only when a test asks (POST /landing/scan).</summary>
    public MeshFixture() : this("mesh", watchIncoming: false) { }

    /// <summary>
    /// Another mesh of the run, with its own databases, queues and landing folder named after
    /// <paramref name="name"/>, and more AppHost arguments.
    /// </summary>
    protected internal MeshFixture(string name, bool watchIncoming, IReadOnlyList<string>? extraArgs = null)
    {
        _watchIncoming = watchIncoming;
        _extraArgs = extraArgs ?? [];
        // A prefix of its own that no other mesh's prefix starts with: cleanup deletes by prefix.
        Prefix = name == "mesh" ? TestEnvironment.RunId : $"{name}{TestEnvironment.RunId}";
        OltpConnectionString = TestDatabases.OltpDatabase(name);
        IngestConnectionString = TestDatabases.IngestDatabase(name);
        OlapConnectionString = TestDatabases.PostgresDatabase(name);
        Landing = Path.Combine(Path.GetTempPath(), name == "mesh" ? $"coffeemesh-{TestEnvironment.RunId}" : $"coffeemesh-{TestEnvironment.RunId}-{name}", "landing");
    }

    public string Prefix { get; }
    public string OltpConnectionString { get; }
    public string IngestConnectionString { get; }
    public string OlapConnectionString { get; }
    public string Landing { get; }
    public HttpClient Ingest { get; private set; } = null!;
    /// <summary>The mesh's GCS emulator's JSON API, e.g. http://127.0.0.1:PORT/storage/v1/.</summary>
    public string GcsUrl { get; private set; } = "";
    public DistributedApplication App => _app ?? throw new InvalidOperationException("call StartAsync first");

    public const int BatchSize = 1000;
    /// <summary>Small, so that every backfill of more than a few thousand rows runs paced by the writer.</summary>
    public const int MaxBatchesAhead = 6;
    public const int WriterReplicas = 2;
    public const int OlapSyncReplicas = 2;

    public async Task StartAsync()
    {
        if (_app is not null) return;
        await _gate.WaitAsync();
        try
        {
            if (_app is not null) return;
            // A mesh that failed to start once is not started again by every later test class:
            // each attempt left its processes starting, and on a loaded machine they piled up.
            if (_startFailure is not null) throw new InvalidOperationException("the test mesh failed to start", _startFailure);
            Directory.CreateDirectory(Landing);
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.CoffeeMesh_AppHost>(
            [
                "--CoffeeMesh:Infrastructure=local",
                "--CoffeeMesh:IngestPort=0",
                // The GCS emulator on a free port too; its data folder is beside the landing folder (deleted with it).
                "--CoffeeMesh:GcsPort=0",
                "--CoffeeMesh:DashboardPort=0",
                $"--CoffeeMesh:BatchSize={BatchSize}",
                $"--CoffeeMesh:MaxBatchesAhead={MaxBatchesAhead}",
                // Two writer processes share the clean-batch queue in every end-to-end test, and two
                // olap-sync processes the stored-batch queue.
                $"--CoffeeMesh:Replicas:oltp-writer={WriterReplicas}",
                $"--CoffeeMesh:Replicas:olap-sync={OlapSyncReplicas}",
                // Scans are triggered by the tests (POST /landing/scan), or by the watcher where a
                // mesh has it; a yearly schedule keeps the timer quiet.
                "--CoffeeMesh:IngestSchedule=0 0 1 1 *",
                $"--CoffeeMesh:WatchIncoming={_watchIncoming}",
                $"--CoffeeMesh:LandingFolder={Landing}",
                $"--Messaging:QueuePrefix={Prefix}",
                $"--ConnectionStrings:rabbitmq={TestEnvironment.Get("ConnectionStrings__rabbitmq")}",
                $"--ConnectionStrings:oltp={OltpConnectionString}",
                $"--ConnectionStrings:ingestdb={IngestConnectionString}",
                $"--ConnectionStrings:olap={OlapConnectionString}",
                .. _extraArgs,
            ], (options, _) => options.DisableDashboard = true);
            // COFFEEMESH_TEST_LOGS=1 shows the AppHost's and the services' logs while debugging the fixture.
            if (Environment.GetEnvironmentVariable("COFFEEMESH_TEST_LOGS") == "1")
                builder.Services.AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Information));
            var app = await builder.BuildAsync();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
                await app.StartAsync(timeout.Token);
                foreach (var resource in new[] { "oltp-writer", "transform", "olap-sync", "ingest" })
                    await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }
            catch (Exception e)
            {
                _startFailure = e;
                await app.DisposeAsync(); // stops the services it started
                throw;
            }
            Ingest = app.CreateHttpClient("ingest", "http");
            Ingest.Timeout = TimeSpan.FromMinutes(5);
            GcsUrl = $"{app.GetEndpoint("gcs-emulator", "http").ToString().TrimEnd('/')}/storage/v1/";
            _app = app;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Writes a file under the landing folder and returns its path relative to it.</summary>
    public string WriteLandingFile(string relative, string content)
    {
        var path = Path.Combine(Landing, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return relative;
    }

    /// <summary>Writes generated sales (0.1% dirty rows) under the landing folder; returns the file's relative path.</summary>
    public string WriteGeneratedFile(string relative, int rows, DateOnly start, int seed)
    {
        var path = Path.Combine(Landing, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new StreamWriter(path);
        new CoffeeMesh.Cli.SalesGenerator(new CoffeeMesh.Cli.GeneratorSettings(rows, start, 3, 0.001, seed)).Write(writer);
        return relative;
    }

    /// <summary>
    /// The promise, checked: the ingestion completed, read every line, accounts for each one,
    /// MySQL holds exactly the rows a clean reading of the file gives (count and checksum), and the
    /// star schema holds exactly what MySQL holds.
    /// </summary>
    public async Task AssertEveryRowOnceAsync(System.Text.Json.Nodes.JsonObject status, string relative, int rows)
    {
        Assert.Equal("completed", status["state"]!.GetValue<string>());
        Assert.Equal(rows, status["rows_read"]!.GetValue<long>());
        Assert.True(status["balanced"]!.GetValue<bool>(), status.ToJsonString());
        Assert.Equal(rows, status["accepted"]!.GetValue<long>() + status["quarantined"]!.GetValue<long>());
        var expected = await SalesChecksum.ExpectedAsync(Path.Combine(Landing, relative));
        var stored = await SalesChecksum.StoredAsync(OltpConnectionString, status["ingestion_id"]!.GetValue<Guid>());
        Assert.Equal(expected, stored);
        Assert.Equal(expected.Count, status["stored_oltp"]!.GetValue<long>());
        await AssertStarSchemaMatchesAsync(status);
    }

    /// <summary>The ingestion's facts in PostgreSQL, through every dimension, equal its rows in MySQL.</summary>
    public async Task AssertStarSchemaMatchesAsync(JsonObject status)
    {
        var id = status["ingestion_id"]!.GetValue<Guid>();
        var oltp = await SalesChecksum.StoredFactsAsync(OltpConnectionString, id);
        Assert.Equal(oltp, await SalesChecksum.StarSchemaAsync(OlapConnectionString, id));
        Assert.Equal(oltp.Count, status["synced_olap"]!.GetValue<long>());
        Assert.Equal(status["batches"]!.GetValue<long>(), status["batches_synced"]!.GetValue<long>());
    }

    public async Task<Guid> RequestAsync(string source, DateOnly? from = null, DateOnly? to = null)
    {
        var response = await Ingest.PostAsJsonAsync("/ingestions", new { source, from = from?.ToString("yyyy-MM-dd"), to = to?.ToString("yyyy-MM-dd") });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /ingestions {source}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["ingestion_id"]!.GetValue<Guid>();
    }

    /// <summary>Polls an ingestion until it completes or fails (two minutes at most).</summary>
    public async Task<JsonObject> WaitAsync(Guid id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            JsonObject status;
            // A short timeout per poll: after a crash, a kept-alive connection through Aspire's proxy
            // can hang where a new one would be answered at once.
            using var poll = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { status = (await Ingest.GetFromJsonAsync<JsonObject>($"/ingestions/{id}", poll.Token))!; }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500); // an outage in a resilience test: the API answers again after it
                continue;
            }
            var state = status["state"]!.GetValue<string>();
            if (state is "completed" or "failed") return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"ingestion {id} still '{state}': {status.ToJsonString()}");
            await Task.Delay(200);
        }
    }

    public async Task<JsonObject> IngestAsync(string source, DateOnly? from = null, DateOnly? to = null) =>
        await WaitAsync(await RequestAsync(source, from, to));

    public async Task<IReadOnlyList<Guid>> ScanAsync()
    {
        var response = await Ingest.PostAsync("/landing/scan", null);
        response.EnsureSuccessStatusCode();
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return json["ingestions"]!.AsArray().Select(n => n!.GetValue<Guid>()).ToList();
    }

    /// <summary>A bus client on the mesh's broker and prefix, as any program publishing to the mesh would be.</summary>
    public async Task<IHost> StartBusClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:rabbitmq"] = TestEnvironment.Get("ConnectionStrings__rabbitmq");
        builder.Configuration["Messaging:QueuePrefix"] = Prefix;
        builder.AddCoffeeMeshBus();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public Task<long> CountAsync(string sql, params (string, object)[] parameters) =>
        TestDatabases.ScalarAsync<long>(OltpConnectionString, sql, parameters);

    public Task<T> OltpScalarAsync<T>(string sql, params (string, object)[] parameters) =>
        TestDatabases.ScalarAsync<T>(OltpConnectionString, sql, parameters);

    public Task<long> OlapCountAsync(string sql, params (string, object)[] parameters) =>
        TestDatabases.PostgresScalarAsync<long>(OlapConnectionString, sql, parameters);

    public async Task<MySqlConnection> OpenOltpAsync()
    {
        var c = new MySqlConnection(OltpConnectionString);
        await c.OpenAsync();
        return c;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        await TestDatabases.DropMySqlAsync(OltpConnectionString);
        await TestDatabases.DropMySqlAsync(IngestConnectionString);
        await TestDatabases.DropPostgresAsync(OlapConnectionString);
        await RabbitCleanup.DeletePrefixedAsync(Prefix);
        try { Directory.Delete(Path.GetDirectoryName(Landing)!, recursive: true); } catch (IOException) { }
    }
}
