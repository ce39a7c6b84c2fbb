namespace CoffeeMesh.Messaging.Storage;

/// <summary>
/// The outbox and inbox tables, for a service's migration list (<see cref="Migration"/>), and the
/// steps added to them since (<see cref="LaterSteps"/>), which <see cref="Migrations.ApplyAsync"/>
/// appends by itself to any list that holds <see cref="Migration"/>: a service lists the messaging
/// tables once and gets every later step without editing its own list.
/// </summary>
public static class MessagingSchema
{
    /// <summary>The name of the step that creates the tables: how a migration list is recognised as holding them.</summary>
    public const string Name = "outbox and inbox";

    /// <summary>Later steps are numbered from here, above any service's own numbers, so the two never collide.</summary>
    public const int LaterStepsFrom = 10_000;

    /// <param name="version">The step's number in the service's own list.</param>
    public static Migration Migration(StoreDialect dialect, int version) => new(version, Name, dialect switch
    {
        StoreDialect.MySql =>
        [
            """
            CREATE TABLE IF NOT EXISTS outbox_message (
              sequence_number BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
              message_id CHAR(36) NOT NULL,
              message_type VARCHAR(400) NOT NULL,
              body LONGTEXT NOT NULL,
              created_at DATETIME(6) NOT NULL,
              not_before DATETIME(6) NOT NULL,
              attempts INT NOT NULL DEFAULT 0,
              last_error TEXT NULL,
              delivered_at DATETIME(6) NULL,
              KEY ix_outbox_pending (delivered_at, not_before)
            ) ENGINE=InnoDB
            """,
            """
            CREATE TABLE IF NOT EXISTS inbox_state (
              consumer VARCHAR(128) NOT NULL,
              message_id CHAR(36) NOT NULL,
              received_at DATETIME(6) NOT NULL,
              PRIMARY KEY (consumer, message_id),
              KEY ix_inbox_received (received_at)
            ) ENGINE=InnoDB
            """,
        ],
        _ =>
        [
            """
            CREATE TABLE IF NOT EXISTS outbox_message (
              sequence_number BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              message_id uuid NOT NULL,
              message_type VARCHAR(400) NOT NULL,
              body TEXT NOT NULL,
              created_at timestamptz NOT NULL,
              not_before timestamptz NOT NULL,
              attempts INT NOT NULL DEFAULT 0,
              last_error TEXT NULL,
              delivered_at timestamptz NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS ix_outbox_pending ON outbox_message (not_before) WHERE delivered_at IS NULL",
            """
            CREATE TABLE IF NOT EXISTS inbox_state (
              consumer VARCHAR(128) NOT NULL,
              message_id uuid NOT NULL,
              received_at timestamptz NOT NULL,
              PRIMARY KEY (consumer, message_id)
            )
            """,
            "CREATE INDEX IF NOT EXISTS ix_inbox_received ON inbox_state (received_at)",
        ],
    });

    /// <summary>
    /// What was added to the outbox and inbox after services first listed them, in order. Each step
    /// only adds (nullable columns), so it is safe to apply after any of the service's own steps.
    /// </summary>
    public static IReadOnlyList<Migration> LaterSteps(StoreDialect dialect) =>
    [
        // The trace context of the activity that wrote a message (W3C traceparent and tracestate),
        // restored when the message is published so that its consumers continue the same trace, and
        // the CoffeeMesh-* headers it carries on (see CarriedHeaders), as a JSON object.
        new(LaterStepsFrom + 1, "outbox keeps each message's trace context and carried headers", dialect switch
        {
            StoreDialect.MySql =>
            [
                Guarded.When(
                    "SELECT COUNT(*) = 0 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'outbox_message' AND column_name = 'trace_parent'",
                    "ALTER TABLE outbox_message ADD COLUMN trace_parent VARCHAR(55) NULL, ADD COLUMN trace_state VARCHAR(512) NULL, ADD COLUMN headers TEXT NULL"),
            ],
            _ =>
            [
                "ALTER TABLE outbox_message ADD COLUMN IF NOT EXISTS trace_parent VARCHAR(55) NULL, ADD COLUMN IF NOT EXISTS trace_state VARCHAR(512) NULL, " +
                "ADD COLUMN IF NOT EXISTS headers TEXT NULL",
            ],
        }),
    ];

    /// <summary>The list with <see cref="LaterSteps"/> appended when it creates the messaging tables (and not already there).</summary>
    public static IReadOnlyList<Migration> WithLaterSteps(IReadOnlyList<Migration> migrations, StoreDialect dialect)
    {
        if (!migrations.Any(m => m.Name == Name)) return migrations;
        var listed = migrations.Select(m => m.Version).ToHashSet();
        return [.. migrations, .. LaterSteps(dialect).Where(m => !listed.Contains(m.Version))];
    }
}
