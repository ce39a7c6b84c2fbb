namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>The local servers, restarted for real (scripts/infra.sh) by the tests that prove an outage loses nothing.</summary>
public static class Servers
{
    public static async Task RestartAsync(string server)
    {
        var restart = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(
            Path.Combine(TestEnvironment.RepoRoot, "scripts", "infra.sh"), $"restart {server}") { RedirectStandardError = true })!;
        await restart.WaitForExitAsync();
        Assert.True(restart.ExitCode == 0, await restart.StandardError.ReadToEndAsync());
        // This process's own pooled connections died with the server (Npgsql does not check them
        // on reuse); the services' retries cope, the test's helpers just start afresh.
        Npgsql.NpgsqlConnection.ClearAllPools();
        MySqlConnector.MySqlConnection.ClearAllPools();
    }
}
