using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>A database outage in the middle of a backfill loses nothing and doubles nothing.</summary>
[Collection(nameof(Disruptive))]
public sealed class DatabaseOutageTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task MariaDB_restarted_during_a_backfill_loses_and_doubles_nothing()
    {
        const int rows = 200_000;
        var source = mesh.WriteGeneratedFile("outage.csv", rows, new DateOnly(2025, 11, 1), seed: 11);
        var id = await mesh.RequestAsync(source);
        long storedBatches;
        while ((storedBatches = await mesh.CountAsync("SELECT COUNT(*) FROM ingestion_batch WHERE ingestion_id = @id", ("@id", id))) < 5)
            await Task.Delay(50);
        Assert.True(storedBatches < rows / MeshFixture.BatchSize, "the backfill finished before the outage");

        var restart = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(
            Path.Combine(TestEnvironment.RepoRoot, "scripts", "infra.sh"), "restart mariadb") { RedirectStandardError = true })!;
        await restart.WaitForExitAsync();
        Assert.True(restart.ExitCode == 0, await restart.StandardError.ReadToEndAsync());

        var status = await mesh.WaitAsync(id, TimeSpan.FromMinutes(5));

        await mesh.AssertEveryRowOnceAsync(status, source, rows);
    }
}
