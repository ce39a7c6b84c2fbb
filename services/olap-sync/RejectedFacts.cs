using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging.Storage;
using Npgsql;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// The second line of defence in the star schema: when PostgreSQL refuses a batch's facts for a
/// row's data (SQLSTATE classes 22 and 23, but not a duplicate key, which the upsert handles), the
/// lines are stored by halves, each half under a savepoint: a half that goes in stays in, one that
/// is refused is halved again, down to the single lines PostgreSQL refuses. Those are recorded in
/// <c>sync_rejected</c> with PostgreSQL's own message (reason <c>store_rejected</c>), and the
/// ingestion's status counts them (<c>rejected_olap</c>). One row never costs a batch.
/// </summary>
public static class RejectedFacts
{
    public static bool IsRowFault(PostgresException e) =>
        e.SqlState.StartsWith("22", StringComparison.Ordinal) || (e.SqlState.StartsWith("23", StringComparison.Ordinal) && e.SqlState != PostgresErrorCodes.UniqueViolation);

    /// <returns>The lines refused, counted by PostgreSQL's message (empty when none was).</returns>
    public static async Task<IReadOnlyDictionary<string, int>> StoreGoodAndRecordBadAsync(NpgsqlConnection pg, NpgsqlTransaction tx, SalesBatchStored batch, IReadOnlyList<string> lines,
        Func<IReadOnlyList<string>, CancellationToken, Task> store, CancellationToken ct)
    {
        var refused = new List<(string Line, string Reason)>();
        await StoreAsync(tx, lines, 0, lines.Count, store, refused, ct);
        // Every row refused is not a row's fault but the table's (a constraint, a type): the error queue says so, and a replay after the fix syncs them.
        if (refused.Count == lines.Count)
            throw new InvalidOperationException($"PostgreSQL refuses every fact of batch {batch.IngestionId}/{batch.Sequence}: {refused[0].Reason}");
        foreach (var (line, reason) in refused)
        {
            var fields = line.Split('\t');
            await pg.Command(
                    """
                    INSERT INTO sync_rejected (ingestion_id, row_version, transaction_id, reason, detail, rejected_at)
                    VALUES (@id, @version, @tx, 'store_rejected', @detail, now())
                    ON CONFLICT (ingestion_id, row_version) DO UPDATE SET detail = excluded.detail, rejected_at = excluded.rejected_at
                    """, tx)
                .With("@id", batch.IngestionId).With("@version", long.Parse(fields[7])).With("@tx", fields[0]).With("@detail", reason)
                .ExecuteNonQueryAsync(ct);
        }
        return refused.GroupBy(r => r.Reason).ToDictionary(g => g.Key, g => g.Count());
    }

    private static async Task StoreAsync(NpgsqlTransaction tx, IReadOnlyList<string> lines, int from, int to,
        Func<IReadOnlyList<string>, CancellationToken, Task> store, List<(string, string)> refused, CancellationToken ct)
    {
        if (from == to) return;
        await tx.SaveAsync("half", ct);
        try
        {
            await store(lines.Skip(from).Take(to - from).ToList(), ct);
            await tx.ReleaseAsync("half", ct);
            return;
        }
        catch (PostgresException e) when (IsRowFault(e))
        {
            await tx.RollbackAsync("half", ct);
            if (to - from == 1)
            {
                refused.Add((lines[from], $"PostgreSQL: {e.MessageText} ({e.SqlState})"));
                return;
            }
        }
        var middle = (from + to) / 2;
        await StoreAsync(tx, lines, from, middle, store, refused, ct);
        await StoreAsync(tx, lines, middle, to, store, refused, ct);
    }
}
