namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>
/// The local servers' settings: from the environment (./coffeemesh test exports them) or, when a
/// test is run from an IDE, from .infra/connections.env written by scripts/infra.sh.
/// </summary>
public static class TestEnvironment
{
    private static readonly Lazy<Dictionary<string, string>> Settings = new(Load);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Get(string key) =>
        Environment.GetEnvironmentVariable(key) is { Length: > 0 } v ? v
        : Settings.Value.TryGetValue(key, out var s) ? s
        : throw new InvalidOperationException($"{key} is not set: start the servers with ./coffeemesh infra up (or run ./coffeemesh test)");

    /// <summary>A name unique to this test run, usable in database and queue names.</summary>
    public static string RunId { get; } = $"t{DateTime.UtcNow:MMddHHmmss}{Random.Shared.Next(100, 999)}";

    private static Dictionary<string, string> Load()
    {
        var path = Path.Combine(RepoRoot, ".infra", "connections.env");
        var result = new Dictionary<string, string>();
        if (!File.Exists(path)) return result;
        foreach (var line in File.ReadAllLines(path))
        {
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            result[line[..eq]] = line[(eq + 1)..].Trim('\'');
        }
        return result;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CoffeeMesh.sln"))) return dir.FullName;
        throw new InvalidOperationException("CoffeeMesh.sln not found above the test binaries");
    }
}
