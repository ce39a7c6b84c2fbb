using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Under the AppHost a service runs as the child of a <c>dotnet run</c>; when that parent is killed,
/// the service would run on outside the AppHost (its dashboard, its restarts), holding its queue.
/// With <c>CoffeeMesh:ExitWithParent</c> (the AppHost sets it) the service checks every second
/// whether its parent process is still the one it started under (Linux: the parent pid in
/// /proc/self/stat), and stops gracefully when it is not.
/// </summary>
public sealed class ExitWithParent(IHostApplicationLifetime lifetime, ILogger<ExitWithParent> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parent = ParentPid();
        if (parent is null) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (ParentPid() == parent) continue;
            logger.LogWarning("The process that started this service ({Parent}) is gone; stopping", parent);
            lifetime.StopApplication();
            return;
        }
    }

    /// <summary>The parent pid from /proc/self/stat (the field after the command, which may hold spaces and parentheses).</summary>
    private static int? ParentPid()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.TryParse(fields[1], out var ppid) ? ppid : null;
    }
}
