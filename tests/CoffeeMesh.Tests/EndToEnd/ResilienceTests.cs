using Aspire.Hosting.ApplicationModel;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>Crashes disturb every other test, so these run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(Disruptive), DisableParallelization = true)]
public sealed class Disruptive;

/// <summary>A crashed ingest process in the middle of a file loses nothing and doubles nothing.</summary>
[Collection(nameof(Disruptive))]
public sealed class ResilienceTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task Stopping_ingest_mid_file_and_starting_it_again_loses_and_doubles_nothing()
    {
        const int rows = 300_000;
        var source = mesh.WriteGeneratedFile("restart.csv", rows, new DateOnly(2025, 8, 1), seed: 7);
        var id = await mesh.RequestAsync(source);

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

        await mesh.AssertEveryRowOnceAsync(status, source, rows);
    }
}
