namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>
/// The test mesh's service processes themselves (not the <c>dotnet run</c> that launched each):
/// found by their executable and the queue prefix in their environment, so another mesh on the
/// machine is never touched. Linux /proc.
/// </summary>
public static class ServiceProcesses
{
    /// <summary>"oltp-writer" → the executable's name.</summary>
    private static string Executable(string service) => service switch
    {
        "ingest" => "CoffeeMesh.Ingest",
        "transform" => "CoffeeMesh.Transform",
        "oltp-writer" => "CoffeeMesh.OltpWriter",
        "olap-sync" => "CoffeeMesh.OlapSync",
        "warehouse-loader" => "CoffeeMesh.WarehouseLoader",
        _ => throw new ArgumentException($"no such service '{service}'"),
    };

    /// <summary>The pids of a service's replicas in the mesh with this queue prefix.</summary>
    public static IReadOnlyList<int> Of(string service, string prefix)
    {
        var executable = Executable(service);
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0')[0];
                if (!command.EndsWith("/" + executable, StringComparison.Ordinal)) continue;
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains($"Messaging__QueuePrefix={prefix}")) pids.Add(pid);
            }
            catch (IOException) { } // gone meanwhile
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    /// <summary>SIGKILL of one replica of the service (no chance to finish anything); returns its pid.</summary>
    public static int KillOne(string service, string prefix)
    {
        var pid = Of(service, prefix).FirstOrDefault();
        Assert.True(pid > 0, $"no {service} process of mesh {prefix}");
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        return pid;
    }
}
