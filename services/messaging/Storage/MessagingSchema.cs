namespace CoffeeMesh.Messaging.Storage;

/// <summary>The outbox and inbox tables, for a service's migration list.</summary>
public static class MessagingSchema
{
    public static Migration Migration(StoreDialect dialect, int version) => new(version, "outbox and inbox", dialect switch
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
}
