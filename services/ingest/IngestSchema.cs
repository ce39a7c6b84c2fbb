using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.Ingest;

/// <summary>ingest's own MySQL schema: ingestions with their read watermarks, and landing files.</summary>
public static class IngestSchema
{
    public static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "ingestions and landing files", [
            // ingestion_number orders ingestions: with the line number it decides which duplicate wins.
            // next_offset/next_line/next_sequence are the watermark: where reading resumes after a crash.
            """
            CREATE TABLE IF NOT EXISTS ingestion (
              ingestion_number BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
              ingestion_id CHAR(36) NOT NULL,
              source VARCHAR(1024) NOT NULL,
              date_from DATE NULL,
              date_to DATE NULL,
              batch_size INT NOT NULL,
              landing_file_id BIGINT NULL,
              start_offset BIGINT NOT NULL,
              start_line BIGINT NOT NULL,
              end_offset BIGINT NOT NULL,
              end_hash CHAR(64) NULL,
              state VARCHAR(16) NOT NULL,
              separator_char VARCHAR(1) NULL,
              column_map VARCHAR(200) NULL,
              next_offset BIGINT NOT NULL,
              next_line BIGINT NOT NULL,
              next_sequence INT NOT NULL DEFAULT 0,
              rows_read BIGINT NOT NULL DEFAULT 0,
              error TEXT NULL,
              created_at DATETIME(6) NOT NULL,
              updated_at DATETIME(6) NOT NULL,
              UNIQUE KEY ux_ingestion_id (ingestion_id)
            ) ENGINE=InnoDB
            """,
            // content_hash covers bytes [0, ingested_bytes): a renamed copy has the same hash, an
            // appended file keeps it as the hash of its prefix.
            """
            CREATE TABLE IF NOT EXISTS landing_file (
              landing_file_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
              path VARCHAR(1024) NOT NULL,
              path_hash CHAR(64) NOT NULL,
              ingested_bytes BIGINT NOT NULL DEFAULT 0,
              ingested_lines BIGINT NOT NULL DEFAULT 1,
              content_hash CHAR(64) NULL,
              separator_char VARCHAR(1) NULL,
              column_map VARCHAR(200) NULL,
              pending_ingestion_id CHAR(36) NULL,
              updated_at DATETIME(6) NOT NULL,
              UNIQUE KEY ux_landing_path (path_hash),
              KEY ix_landing_content (content_hash, ingested_bytes)
            ) ENGINE=InnoDB
            """,
        ]),
        MessagingSchema.Migration(StoreDialect.MySql, 2),
        // What the last scan made of each landing file, and why: GET /landing lists it.
        new(3, "landing files keep their state and its reason", [
            Guarded.When(
                "SELECT COUNT(*) = 0 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'landing_file' AND column_name = 'state'",
                "ALTER TABLE landing_file ADD COLUMN state VARCHAR(16) NOT NULL DEFAULT 'ingested', ADD COLUMN reason VARCHAR(1024) NULL, " +
                "ADD COLUMN size_bytes BIGINT NOT NULL DEFAULT 0, ADD COLUMN last_ingestion_id CHAR(36) NULL"),
        ]),
        // A stage that gave up on a message (it went to an _error queue, MassTransit published its
        // Fault): the ingestion is failed, naming the stage, the batch and the reason, until a
        // replay sends the message back (resolved_at).
        new(4, "stage failures", [
            """
            CREATE TABLE IF NOT EXISTS stage_failure (
              ingestion_id CHAR(36) NOT NULL,
              stage VARCHAR(32) NOT NULL,
              sequence INT NOT NULL,
              message_type VARCHAR(100) NOT NULL,
              reason TEXT NOT NULL,
              failed_at DATETIME(6) NOT NULL,
              resolved_at DATETIME(6) NULL,
              PRIMARY KEY (ingestion_id, stage, sequence),
              KEY ix_stage_failure_open (resolved_at, failed_at)
            ) ENGINE=InnoDB
            """,
        ]),
        // The ingestion ledger: what each stage reported of each batch (its event, or the store's own
        // count when the event never came), and each store's count of the whole ingestion. Status,
        // --wait and read-ahead pacing read these tables; an ingestion is completed when both
        // stores' counts hold every batch (completed_at).
        new(5, "ingestion ledger", [
            """
            CREATE TABLE IF NOT EXISTS ledger_batch (
              ingestion_id CHAR(36) NOT NULL,
              stage VARCHAR(32) NOT NULL,
              sequence INT NOT NULL,
              rows_in INT NOT NULL,
              rows_out INT NOT NULL,
              quarantined INT NOT NULL,
              out_of_range INT NOT NULL,
              superseded INT NOT NULL,
              rejected INT NOT NULL,
              reported_by VARCHAR(8) NOT NULL,
              reported_at DATETIME(6) NOT NULL,
              PRIMARY KEY (ingestion_id, stage, sequence)
            ) ENGINE=InnoDB
            """,
            """
            CREATE TABLE IF NOT EXISTS ledger_reason (
              ingestion_id CHAR(36) NOT NULL,
              stage VARCHAR(32) NOT NULL,
              reason VARCHAR(255) NOT NULL,
              row_count BIGINT NOT NULL,
              PRIMARY KEY (ingestion_id, stage, reason)
            ) ENGINE=InnoDB
            """,
            """
            CREATE TABLE IF NOT EXISTS ledger_count (
              ingestion_id CHAR(36) NOT NULL,
              stage VARCHAR(32) NOT NULL,
              batches INT NOT NULL,
              row_count BIGINT NOT NULL,
              rows_in BIGINT NOT NULL,
              rows_out BIGINT NOT NULL,
              quarantined BIGINT NOT NULL,
              out_of_range BIGINT NOT NULL,
              superseded BIGINT NOT NULL,
              rejected BIGINT NOT NULL,
              by_reason TEXT NOT NULL,
              attribute_changes MEDIUMTEXT NOT NULL,
              attribute_changes_total BIGINT NOT NULL,
              counted_at DATETIME(6) NOT NULL,
              PRIMARY KEY (ingestion_id, stage)
            ) ENGINE=InnoDB
            """,
            Guarded.When(
                "SELECT COUNT(*) = 0 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'ingestion' AND column_name = 'completed_at'",
                "ALTER TABLE ingestion ADD COLUMN last_reported_at DATETIME(6) NULL, ADD COLUMN count_requested_at DATETIME(6) NULL, " +
                "ADD COLUMN completed_at DATETIME(6) NULL, ADD KEY ix_ingestion_open (state, completed_at)"),
        ]),
        // The warehouse's loads, per object: a batch is in the warehouse once every object it wrote
        // (batch_objects, from the objects' metadata) is loaded; then ledger_batch gets its
        // 'warehouse-loader' row.
        new(6, "warehouse loads in the ledger", [
            """
            CREATE TABLE IF NOT EXISTS ledger_object (
              ingestion_id CHAR(36) NOT NULL,
              sequence INT NOT NULL,
              object_name VARCHAR(1024) NOT NULL,
              generation BIGINT NOT NULL,
              batch_objects INT NOT NULL,
              row_count BIGINT NOT NULL,
              loaded_at DATETIME(6) NOT NULL,
              PRIMARY KEY (ingestion_id, sequence, object_name(255))
            ) ENGINE=InnoDB
            """,
        ]),
    ];
}
