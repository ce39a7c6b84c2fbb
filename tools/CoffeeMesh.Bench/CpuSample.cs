using System.Diagnostics;

namespace CoffeeMesh.Bench;

/// <summary>
/// CPU seconds spent by the servers (and this process, as "bench") while one stage runs alone:
/// with the mesh's own figures, it shows how much of a database's work a stage causes by itself.
/// </summary>
public sealed class CpuSample
{
    private readonly Dictionary<int, (string Name, double Seconds)> _servers = MeshProcesses.CpuSeconds();
    private readonly TimeSpan _self = Process.GetCurrentProcess().TotalProcessorTime;

    public Dictionary<string, double> Stop()
    {
        var spent = MeshProcesses.Delta(_servers, MeshProcesses.CpuSeconds());
        spent["bench"] = (Process.GetCurrentProcess().TotalProcessorTime - _self).TotalSeconds;
        return spent.Where(kv => kv.Value >= 0.05).OrderByDescending(kv => kv.Value).ToDictionary();
    }
}
