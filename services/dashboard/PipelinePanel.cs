using System.Net.Http.Json;
using CoffeeMesh.Contracts;
using Npgsql;

namespace CoffeeMesh.Dashboard;

/// <summary>One ingestion as the pipeline panel lists it (rows are rows; times UTC).</summary>
public sealed record IngestionRow(Guid IngestionId, string Source, string State, string? Error, long RowsRead, long Accepted, long Quarantined,
    long OutOfRange, IReadOnlyDictionary<string, long> QuarantinedByReason, DateTime CreatedAt, DateTime? CompletedAt);

/// <summary>
/// The panel: recent ingestions (from ingest's API; <see cref="IngestError"/> says why they are
/// missing when ingest did not answer) and freshness: the newest sale in the star schema (date and
/// hour), when olap-sync last synced a batch, when the last ingestion completed.
/// </summary>
public sealed record Pipeline(IReadOnlyList<IngestionRow> Ingestions, string? IngestError, string? NewestSaleDate, int? NewestSaleHour,
    DateTime? LastSyncedAt, DateTime? LastCompletedAt);

/// <summary>Reads the panel's data: ingest's GET /ingestions (service discovery: http://ingest) and the star schema.</summary>
public sealed class PipelinePanel(HttpClient ingest, NpgsqlDataSource olap, ILogger<PipelinePanel> logger)
{
    public const int MaxLimit = 100;

    /// <param name="limit">Ingestions to list, newest first: 1 to <see cref="MaxLimit"/>.</param>
    public async Task<Pipeline> LoadAsync(int limit, CancellationToken ct)
    {
        IReadOnlyList<IngestionStatus> statuses = [];
        string? error = null;
        try
        {
            statuses = await ingest.GetFromJsonAsync<List<IngestionStatus>>($"/ingestions?limit={limit}", ct) ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "ingest did not answer GET /ingestions");
            error = $"ingest did not answer: {e.Message}";
        }

        string? newestDate = null;
        int? newestHour = null;
        DateTime? lastSynced = null;
        await using (var cmd = olap.CreateCommand(
                         """
                         SELECT m.date_id, (SELECT MAX(hour) FROM sales_hourly WHERE date_id = m.date_id), (SELECT MAX(synced_at) FROM sync_batch)
                         FROM (SELECT MAX(date_id) AS date_id FROM sales_hourly) m
                         """))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            if (!r.IsDBNull(0)) newestDate = SalesReports.ToDate(r.GetInt32(0)).ToString("yyyy-MM-dd");
            if (!r.IsDBNull(1)) newestHour = r.GetInt32(1);
            if (!r.IsDBNull(2)) lastSynced = r.GetFieldValue<DateTime>(2);
        }
        var rows = statuses.Select(s => new IngestionRow(s.IngestionId, s.Source, s.State, s.Error, s.RowsRead, s.Accepted, s.Quarantined, s.OutOfRange,
            s.QuarantinedByReason, s.CreatedAt, s.CompletedAt)).ToList();
        var lastCompleted = statuses.Where(s => s.State == "completed" && s.CompletedAt is not null).Select(s => s.CompletedAt).Max();
        return new Pipeline(rows, error, newestDate, newestHour, lastSynced, lastCompleted);
    }
}
