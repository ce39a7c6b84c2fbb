using CoffeeMesh.Messaging.Storage;
using Npgsql;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// The repair of one day on which the star schema disagrees with MySQL (reconciliation): the day's facts are
/// replaced by MySQL's current rows of that day, in one transaction, with their dimensions first.
/// </summary>
public sealed class DayResync(ServiceStore store, OltpSource oltp, ILogger<DayResync> logger)
{
    /// <summary>Rebuilds <paramref name="day"/>'s facts from MySQL. Returns the facts the day holds now. Throws what either database throws.</summary>
    public async Task<long> ResyncAsync(DateOnly day, CancellationToken ct)
    {
        await using var pg = (NpgsqlConnection)await store.OpenAsync(ct);
        using var facts = new FactLines();
        await using (var my = await oltp.OpenAsync(ct))
        {
            await using (var reader = await OltpSource.ReadDayFactLinesAsync(my, day, ct))
                await facts.ReadAsync(reader, ct);
            await Dimensions.AddForFactsAsync(pg, my, facts, ct);
        }
        var dateId = Dimensions.DateId(day);
        await using var tx = await pg.BeginTransactionAsync(ct);
        // The day's cells of the dashboard's aggregate go with its facts and come back with the new ones (SalesAggregate).
        await SalesAggregate.LockDatesAsync(pg, tx, [dateId], ct);
        var removed = await pg.Command("DELETE FROM fact_sales WHERE date_id = @day", tx).With("@day", dateId).ExecuteNonQueryAsync(ct);
        await pg.Command("DELETE FROM sales_hourly WHERE date_id = @day", tx).With("@day", dateId).ExecuteNonQueryAsync(ct);
        await facts.CopyToAsync(pg, "fact_sales", SalesBatchSync.FactColumns, ct);
        await SalesAggregate.AddFactsAsync(pg, tx, facts, ct);
        await tx.CommitAsync(ct);
        logger.LogWarning("Resynced {Day} from MySQL: {Removed} facts replaced by {Facts}", day, removed, facts.Count);
        return facts.Count;
    }
}
