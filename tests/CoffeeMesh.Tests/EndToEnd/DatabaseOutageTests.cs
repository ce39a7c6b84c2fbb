using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>A database outage (MariaDB or PostgreSQL) in the middle of a backfill loses nothing and doubles nothing.</summary>
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

        await RestartAsync("mariadb");

        var status = await mesh.WaitAsync(id, TimeSpan.FromMinutes(5));

        await mesh.AssertEveryRowOnceAsync(status, source, rows);
    }

    [Fact]
    public async Task PostgreSQL_restarted_during_a_backfill_loses_and_doubles_nothing_in_the_star_schema()
    {
        const int rows = 200_000;
        var source = mesh.WriteGeneratedFile("pg-outage.csv", rows, new DateOnly(2025, 12, 1), seed: 12);
        var id = await mesh.RequestAsync(source);
        long syncedBatches;
        while ((syncedBatches = await mesh.OlapCountAsync("SELECT COUNT(*) FROM sync_batch WHERE ingestion_id = @id", ("id", id))) < 5)
            await Task.Delay(50);
        Assert.True(syncedBatches < rows / MeshFixture.BatchSize, "the backfill finished before the outage");

        await RestartAsync("postgresql");

        var status = await mesh.WaitAsync(id, TimeSpan.FromMinutes(5));

        await mesh.AssertEveryRowOnceAsync(status, source, rows);
    }

    private static async Task RestartAsync(string server)
    {
        var restart = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(
            Path.Combine(TestEnvironment.RepoRoot, "scripts", "infra.sh"), $"restart {server}") { RedirectStandardError = true })!;
        await restart.WaitForExitAsync();
        Assert.True(restart.ExitCode == 0, await restart.StandardError.ReadToEndAsync());
        // This process's own pooled connections died with the server (Npgsql does not check them
        // on reuse); the services' retries cope, the test's helpers just start afresh.
        Npgsql.NpgsqlConnection.ClearAllPools();
    }
}
