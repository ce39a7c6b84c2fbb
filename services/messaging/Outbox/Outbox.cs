using System.Data.Common;
using System.Text.Json;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.Messaging.Outbox;

/// <summary>
/// Adds messages to the outbox inside the caller's transaction: they are published only if, and
/// once, that transaction commits (the delivery loop does the publishing).
/// </summary>
public sealed class Outbox(OutboxSignal signal)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task AddAsync<T>(DbConnection connection, DbTransaction transaction, T message, Guid messageId, CancellationToken ct)
        where T : class
    {
        var now = DateTime.UtcNow;
        await connection.Command(
                "INSERT INTO outbox_message (message_id, message_type, body, created_at, not_before) VALUES (@id, @type, @body, @now, @now)",
                transaction)
            .With("@id", messageId)
            .With("@type", TypeName(typeof(T)))
            .With("@body", JsonSerializer.Serialize(message, Json))
            .With("@now", now)
            .ExecuteNonQueryAsync(ct);
    }

    /// <summary>Call after the transaction that added messages has committed.</summary>
    public void Committed() => signal.Notify();

    /// <summary>What outbox_message.message_type holds for a message of this type.</summary>
    public static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    /// <summary>A message back from outbox_message.body (tools and tests that read the outbox).</summary>
    public static T ReadBody<T>(string body) where T : class => JsonSerializer.Deserialize<T>(body, Json)!;
}
