using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CoffeeMesh.AppHost;

/// <summary>
/// A service that dies (a crash, an out-of-memory kill, a SIGKILL) is started again, so that the
/// mesh heals itself under <c>./coffeemesh up</c>: its messages wait on the broker meanwhile and
/// every stage resumes where it stood. A resource stopped on purpose (the dashboard's Stop, the
/// AppHost shutting down) is left stopped. Restarts back off (1 s doubling to 60 s) and give up
/// after 10 within 10 minutes, leaving the resource Exited for the dashboard and
/// <c>./coffeemesh status</c> to show. <c>CoffeeMesh:RestartOnExit=false</c> turns it off.
/// </summary>
public sealed class RestartOnExit(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    ILogger<RestartOnExit> logger) : BackgroundService
{
    private readonly Dictionary<string, List<DateTime>> _restarts = [];
    private readonly HashSet<string> _stopping = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("CoffeeMesh:RestartOnExit", true)) return;
        try
        {
            await foreach (var e in notifications.WatchAsync(stoppingToken))
            {
                if (e.Resource is not ProjectResource || lifetime.ApplicationStopping.IsCancellationRequested) continue;
                var state = e.Snapshot.State?.Text;
                // A stop someone asked for passes through Stopping; a crash goes straight to Exited or Finished.
                if (state == KnownResourceStates.Stopping) { _stopping.Add(e.ResourceId); continue; }
                if (state == KnownResourceStates.Running) { _stopping.Remove(e.ResourceId); continue; }
                if (state != KnownResourceStates.Exited && state != KnownResourceStates.Finished) continue;
                if (_stopping.Remove(e.ResourceId) || e.Snapshot.ExitCode is null or 0) continue;
                _ = RestartAsync(e.ResourceId, e.Snapshot.ExitCode.Value, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task RestartAsync(string resource, int exitCode, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var recent = _restarts.TryGetValue(resource, out var list) ? list : _restarts[resource] = [];
        lock (recent)
        {
            recent.RemoveAll(t => now - t > TimeSpan.FromMinutes(10));
            if (recent.Count >= 10)
            {
                logger.LogError("{Resource} exited with code {ExitCode} for the 10th time in 10 minutes; it stays down", resource, exitCode);
                return;
            }
            recent.Add(now);
        }
        var delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, recent.Count - 1)));
        logger.LogWarning("{Resource} exited with code {ExitCode}; starting it again in {Delay}", resource, exitCode, delay);
        try
        {
            await Task.Delay(delay, ct);
            var result = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, ct);
            if (!result.Success) logger.LogError("{Resource} could not be started again: {Error}", resource, result.ErrorMessage);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }
}
