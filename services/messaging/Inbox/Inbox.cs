using System.Data.Common;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.Messaging.Inbox;

/// <summary>
/// Consumer-side duplicate detection: the first transaction to record (consumer, message id)
/// wins; a redelivered or re-published copy finds the row and is dropped. Record it in the same
/// transaction as the consumer's writes, so "processed" and "recorded" cannot disagree.
/// </summary>
public sealed class Inbox(ServiceStore store)
{
    /// <returns>false when this consumer already processed this message.</returns>
    public async Task<bool> TryAcceptAsync(DbConnection connection, DbTransaction transaction, string consumer, Guid messageId, CancellationToken ct)
    {
        var sql = store.Dialect == StoreDialect.MySql
            ? "INSERT IGNORE INTO inbox_state (consumer, message_id, received_at) VALUES (@c, @m, @now)"
            : "INSERT INTO inbox_state (consumer, message_id, received_at) VALUES (@c, @m, @now) ON CONFLICT DO NOTHING";
        var inserted = await connection.Command(sql, transaction)
            .With("@c", consumer).With("@m", messageId).With("@now", DateTime.UtcNow)
            .ExecuteNonQueryAsync(ct);
        return inserted == 1;
    }

    /// <summary>
    /// Whether this consumer already processed the message: a cheap early check that lets a
    /// duplicate skip work done outside the recording transaction. Only
    /// <see cref="TryAcceptAsync"/>, inside that transaction, decides.
    /// </summary>
    public async Task<bool> SeenAsync(DbConnection connection, string consumer, Guid messageId, CancellationToken ct) =>
        await connection.Command("SELECT COUNT(*) FROM inbox_state WHERE consumer = @c AND message_id = @m")
            .With("@c", consumer).With("@m", messageId)
            .ExecuteScalarAsync(ct) is { } n && Convert.ToInt64(n) > 0;
}
