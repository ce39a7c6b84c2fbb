using Aspire.Hosting.ApplicationModel;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>Crashes disturb every other test, so these run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(Disruptive), DisableParallelization = true)]
public sealed class Disruptive;

/// <summary>Failures in the middle of work lose nothing and double nothing.</summary>
[Collection(nameof(Disruptive))]
public sealed class ResilienceTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task Stopping_ingest_mid_file_and_starting_it_again_loses_and_doubles_nothing()
    {
        const int rows = 300_000;
        var source = Path.Combine(mesh.Landing, "restart.csv");
        using (var writer = new StreamWriter(source))
            new CoffeeMesh.Cli.SalesGenerator(new CoffeeMesh.Cli.GeneratorSettings(rows, new DateOnly(2025, 8, 1), 3, 0.001, 7)).Write(writer);
        var id = await mesh.RequestAsync("restart.csv");

        // Wait until reading is under way, then stop and restart the ingest service.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var s = await mesh.Ingest.GetStringAsync($"/ingestions/{id}");
            if (s.Contains("\"state\":\"reading\"")) break;
            Assert.True(DateTime.UtcNow < deadline, "ingestion never started reading: " + s);
            Assert.DoesNotContain("\"state\":\"completed\"", s);
            await Task.Delay(20);
        }
        // A crash, not a polite stop: SIGKILL the ingest process in the middle of the file.
        Assert.True(mesh.App.ResourceNotifications.TryGetCurrentState("ingest", out var ingest), "no state for ingest");
        var pid = ingest!.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value!.ToString()!;
        System.Diagnostics.Process.GetProcessById(int.Parse(pid)).Kill(entireProcessTree: true);
        // Proof that the crash came mid-file: the watermark is short of the end.
        var readBeforeCrash = await TestDatabases.ScalarAsync<long>(mesh.IngestConnectionString,
            "SELECT rows_read FROM ingestion WHERE ingestion_id = @id AND state = 'reading'", ("@id", id));
        Assert.InRange(readBeforeCrash, 1, rows - 1);
        await mesh.App.ResourceNotifications.WaitForResourceAsync("ingest", KnownResourceStates.TerminalStates);
        var start = await mesh.App.ResourceCommands.ExecuteCommandAsync("ingest", KnownResourceCommands.StartCommand);
        Assert.True(start.Success, start.ErrorMessage);
        using (var healthy = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            await mesh.App.ResourceNotifications.WaitForResourceHealthyAsync("ingest", healthy.Token);

        var status = await mesh.WaitAsync(id, TimeSpan.FromMinutes(4));

        Assert.Equal("completed", status["state"]!.GetValue<string>());
        Assert.Equal(rows, status["rows_read"]!.GetValue<long>());
        Assert.Equal(rows, status["accepted"]!.GetValue<long>() + status["quarantined"]!.GetValue<long>());
        var expected = await SalesChecksum.ExpectedAsync(source);
        var stored = await SalesChecksum.StoredAsync(mesh.OltpConnectionString, id);
        Assert.Equal(expected, stored);
    }
}

/// <summary>A database outage in the middle of a backfill.</summary>
[Collection(nameof(Disruptive))]
public sealed class DatabaseOutageTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task MariaDB_restarted_during_a_backfill_loses_and_doubles_nothing()
    {
        const int rows = 200_000;
        var source = Path.Combine(mesh.Landing, "outage.csv");
        using (var writer = new StreamWriter(source))
            new CoffeeMesh.Cli.SalesGenerator(new CoffeeMesh.Cli.GeneratorSettings(rows, new DateOnly(2025, 11, 1), 3, 0.001, 11)).Write(writer);
        var id = await mesh.RequestAsync("outage.csv");
        long storedBatches;
        while ((storedBatches = await mesh.CountAsync("SELECT COUNT(*) FROM ingestion_batch WHERE ingestion_id = @id", ("@id", id))) < 5)
            await Task.Delay(50);
        Assert.True(storedBatches < rows / MeshFixture.BatchSize, "the backfill finished before the outage");

        var restart = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(
            Path.Combine(TestEnvironment.RepoRoot, "scripts", "infra.sh"), "restart mariadb") { RedirectStandardError = true })!;
        await restart.WaitForExitAsync();
        Assert.True(restart.ExitCode == 0, await restart.StandardError.ReadToEndAsync());

        var status = await mesh.WaitAsync(id, TimeSpan.FromMinutes(5));
        Assert.Equal("completed", status["state"]!.GetValue<string>());
        Assert.Equal(rows, status["rows_read"]!.GetValue<long>());
        Assert.True(status["balanced"]!.GetValue<bool>());
        var expected = await SalesChecksum.ExpectedAsync(source);
        Assert.Equal(expected, await SalesChecksum.StoredAsync(mesh.OltpConnectionString, id));
    }
}
