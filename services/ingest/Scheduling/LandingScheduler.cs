using Cronos;
using CoffeeMesh.Ingest.Reading;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Scheduling;

/// <summary>
/// Decides when the landing scan runs, one scan at a time: soon after files in <c>incoming/</c>
/// change (<see cref="LandingWatcher"/>, <c>Ingest:WatchIncoming</c>), when a scan said a file
/// will be ready later (settling, or changed while it was being ingested), and on the cron
/// schedule (<c>Ingest:Schedule</c>, 5 or 6 fields; 6 = with seconds), which catches whatever the
/// watcher may have missed.
/// </summary>
public sealed class LandingScheduler(IServiceProvider services, IOptions<IngestOptions> options, ILogger<LandingScheduler> logger) : BackgroundService
{
    /// <summary>
    /// No event for this long ends a burst: a file copied in arrives as many write events, and one
    /// scan after them takes it whole.
    /// </summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(250);

    /// <summary>A file written for longer than this is taken piece by piece (its complete lines so far), as the scan does with any growing file.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(2);

    /// <summary>When another replica or a POST /landing/scan held the scan lock, the scan is tried again after this long.</summary>
    private static readonly TimeSpan LockedRetry = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        CronExpression? cron = null;
        if (settings.ScheduleEnabled)
        {
            var text = settings.Schedule;
            cron = CronExpression.Parse(text, text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            logger.LogInformation("Landing folder scanned on schedule '{Schedule}'", text);
        }
        var debounce = new ScanDebounce(TimeProvider.System, Quiet, Longest);
        using var watcher = settings.WatchIncoming ? StartWatcher(debounce) : null;
        if (cron is null && watcher is null) return;

        var scan = services.GetRequiredService<LandingScan>();
        var nextCron = cron?.GetNextOccurrence(DateTime.UtcNow);
        DateTime? rescanAt = watcher is null ? null : DateTime.UtcNow; // files dropped while ingest was down
        while (!stoppingToken.IsCancellationRequested)
        {
            var due = Earliest(nextCron, debounce.DueAt?.UtcDateTime, rescanAt);
            if (due is null)
            {
                await debounce.BurstStarted.WaitAsync(stoppingToken);
                continue;
            }
            var wait = due.Value - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                if (debounce.DueAt is not null) await Task.Delay(wait, stoppingToken); // a burst's later events only delay it
                else
                {
                    // Woken early by the first event of a burst: the earliest time is worked out again.
                    using var early = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    await Task.WhenAny(Task.Delay(wait, early.Token), debounce.BurstStarted);
                    await early.CancelAsync();
                    stoppingToken.ThrowIfCancellationRequested();
                }
                continue;
            }

            if (nextCron <= DateTime.UtcNow) nextCron = cron!.GetNextOccurrence(DateTime.UtcNow);
            // Events from now on are for the next scan: this one may have read a file before its last write.
            debounce.Take();
            rescanAt = null;
            try
            {
                var outcome = await scan.ScanAsync(stoppingToken);
                rescanAt = outcome.Ran ? outcome.RescanAt : DateTime.UtcNow + LockedRetry;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Landing scan failed; next attempt on the next file event or on schedule");
            }
        }
    }

    private LandingWatcher? StartWatcher(ScanDebounce debounce)
    {
        var folder = services.GetRequiredService<LandingFolder>().Incoming;
        try
        {
            var watcher = new LandingWatcher(folder, debounce, logger);
            logger.LogInformation("Landing folder {Folder} watched: new files are scanned as they arrive", folder);
            return watcher;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            logger.LogWarning(e, "Landing folder {Folder} cannot be watched; files are picked up by the scheduled scan only", folder);
            return null;
        }
    }

    private static DateTime? Earliest(params DateTime?[] times) => times.Where(t => t is not null).Min();
}
