using CoffeeMesh.Ingest.Ingestions;
using CoffeeMesh.Messaging.Storage;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Ledger;

/// <summary>
/// An ingestion that is read, not completed, and has heard nothing for Ingest:RecountAfterSeconds
/// asks the stores to count it again: a lost stage event, or a lost count, must not leave it
/// waiting (their counts fill what the events did not bring).
/// </summary>
public sealed class LedgerRecount(ServiceStore store, IngestionLedger ledger, IOptions<IngestOptions> options, ILogger<LedgerRecount> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, options.Value.RecountAfterSeconds) / 2.0);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var id in await QuietAsync(stoppingToken))
                {
                    logger.LogInformation("Ingestion {IngestionId} heard nothing for {Seconds} s: asking the stores to count it", id, options.Value.RecountAfterSeconds);
                    await ledger.RequestCountAsync(id, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Recount of quiet ingestions failed: {Error}", e.Message);
            }
            await Task.Delay(every, stoppingToken);
        }
    }

    /// <summary>Ingestions read in the last week, not completed, quiet and not asked about for RecountAfterSeconds.</summary>
    private async Task<List<Guid>> QuietAsync(CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var quiet = now.AddSeconds(-options.Value.RecountAfterSeconds);
        await using var c = await store.OpenAsync(ct);
        await using var r = await c.Command(
                """
                SELECT ingestion_id FROM ingestion
                WHERE state = @read AND completed_at IS NULL AND updated_at > @week
                  AND GREATEST(updated_at, COALESCE(last_reported_at, updated_at)) < @quiet
                  AND (count_requested_at IS NULL OR count_requested_at < @quiet)
                ORDER BY updated_at LIMIT 100
                """)
            .With("@read", IngestionStates.Read).With("@week", now.AddDays(-7)).With("@quiet", quiet).ExecuteReaderAsync(ct);
        var ids = new List<Guid>();
        while (await r.ReadAsync(ct)) ids.Add(r.GetGuid(0));
        return ids;
    }
}
