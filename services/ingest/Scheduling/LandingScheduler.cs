using Cronos;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Scheduling;

/// <summary>Runs the landing scan on the configured cron schedule (5 or 6 fields; 6 = with seconds).</summary>
public sealed class LandingScheduler(IServiceProvider services, IOptions<IngestOptions> options, ILogger<LandingScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ScheduleEnabled) return;
        var text = options.Value.Schedule;
        var cron = CronExpression.Parse(text, text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        logger.LogInformation("Landing folder scanned on schedule '{Schedule}'", text);
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = cron.GetNextOccurrence(DateTime.UtcNow);
            if (next is null) return;
            var delay = next.Value - DateTime.UtcNow;
            if (delay > TimeSpan.Zero) await Task.Delay(delay, stoppingToken);
            try
            {
                await services.GetRequiredService<LandingScan>().RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Landing scan failed; next attempt on schedule");
            }
        }
    }
}
