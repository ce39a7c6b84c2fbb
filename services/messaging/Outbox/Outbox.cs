using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.Messaging.Telemetry;

namespace CoffeeMesh.Messaging.Outbox;

/// <summary>
/// Adds messages to the outbox inside the caller's transaction: they are published only if, and
/// once, that transaction commits (the delivery loop does the publishing). Each message keeps the
/// trace context of the activity current when it was added (W3C traceparent and tracestate) and
/// the carried headers current then (<see cref="CarriedHeaders"/>), so that its publishing and
/// its consumers continue the trace and the headers of the work that wrote it.
/// </summary>
public sealed class Outbox(OutboxSignal signal)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task AddAsync<T>(DbConnection connection, DbTransaction transaction, T message, Guid messageId, CancellationToken ct)
        where T : class
    {
        var now = DateTime.UtcNow;
        var activity = Activity.Current;
        var traced = activity is { IdFormat: ActivityIdFormat.W3C };
        await connection.Command(
                """
                INSERT INTO outbox_message (message_id, message_type, body, created_at, not_before, trace_parent, trace_state, headers)
                VALUES (@id, @type, @body, @now, @now, @tp, @ts, @headers)
                """,
                transaction)
            .With("@id", messageId)
            .With("@type", TypeName(typeof(T)))
            .With("@body", JsonSerializer.Serialize(message, Json))
            .With("@now", now)
            .With("@tp", traced ? activity!.Id : null)
            .With("@ts", traced ? activity!.TraceStateString : null)
            .With("@headers", CarriedHeaders.Current is { Count: > 0 } headers ? JsonSerializer.Serialize(headers, Json) : null)
            .ExecuteNonQueryAsync(ct);
    }

    /// <summary>Call after the transaction that added messages has committed.</summary>
    public void Committed() => signal.Notify();

    /// <summary>What outbox_message.message_type holds for a message of this type.</summary>
    public static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    /// <summary>A message back from outbox_message.body (tools and tests that read the outbox).</summary>
    public static T ReadBody<T>(string body) where T : class => JsonSerializer.Deserialize<T>(body, Json)!;
}
