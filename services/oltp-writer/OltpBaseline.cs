using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OltpWriter;

/// <summary>
/// oltp-writer's MySQL tables as they are today (migration 8), written out whole: what a fresh
/// database is built from (<see cref="Migration.Baseline"/>). An existing database reaches the same
/// tables through <see cref="OltpSchema.Migrations"/>; OltpSchemaTests checks the two agree. Column
/// order and defaults follow the history, so both paths give identical tables.
/// </summary>
public static class OltpBaseline
{
    /// <summary>The statements, in order; each is safe to rerun.</summary>
    public static readonly IReadOnlyList<string> Statements =
    [
        // Each store's and product's current attributes: the row a change locks, so that two
        // writers never make the same new version twice.
        """
        CREATE TABLE IF NOT EXISTS stores (
          store_id INT NOT NULL PRIMARY KEY,
          store_location VARCHAR(100) NOT NULL,
          updated_at DATETIME(6) NOT NULL
        ) ENGINE=InnoDB
        """,
        """
        CREATE TABLE IF NOT EXISTS products (
          product_id INT NOT NULL PRIMARY KEY,
          product_category VARCHAR(100) NOT NULL,
          product_type VARCHAR(100) NOT NULL,
          product_detail VARCHAR(100) NOT NULL,
          unit_price DECIMAL(12,2) NOT NULL,
          updated_at DATETIME(6) NOT NULL
        ) ENGINE=InnoDB
        """,

        // Every version of a store's and a product's attributes (slowly changing dimensions, type 2):
        // valid from its first sale (valid_from, then valid_from_version, that sale's row_version)
        // to the next version's start. ingestion_id names the ingestion that made the version (null
        // for one migrated from before versioning, whose key is its natural id). New keys start at
        // 1,000,000,000, above every natural id; keys are 4 bytes, as in the star schema.
        """
        CREATE TABLE IF NOT EXISTS store_versions (
          store_key INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
          store_id INT NOT NULL,
          store_location VARCHAR(100) NOT NULL,
          valid_from DATETIME NOT NULL,
          valid_from_version BIGINT NOT NULL,
          valid_to DATETIME NULL,
          is_current BOOLEAN NOT NULL,
          ingestion_id CHAR(36) NULL,
          updated_at DATETIME(6) NOT NULL,
          KEY ix_store_versions_id (store_id, valid_from, valid_from_version)
        ) ENGINE=InnoDB AUTO_INCREMENT=1000000000
        """,
        """
        CREATE TABLE IF NOT EXISTS product_versions (
          product_key INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
          product_id INT NOT NULL,
          product_category VARCHAR(100) NOT NULL,
          product_type VARCHAR(100) NOT NULL,
          product_detail VARCHAR(100) NOT NULL,
          unit_price DECIMAL(12,2) NOT NULL,
          valid_from DATETIME NOT NULL,
          valid_from_version BIGINT NOT NULL,
          valid_to DATETIME NULL,
          is_current BOOLEAN NOT NULL,
          ingestion_id CHAR(36) NULL,
          updated_at DATETIME(6) NOT NULL,
          KEY ix_product_versions_id (product_id, valid_from, valid_from_version)
        ) ENGINE=InnoDB AUTO_INCREMENT=1000000000
        """,

        // One row per sale. row_version = (ingestion number << 32) + source line: the later line of
        // the later ingestion wins, whatever order batches arrive in. The table is clustered by it,
        // so a batch is appended in line order and olap-sync reads a batch (or an ingestion, its high
        // 32 bits) as one range; transaction_id stays unique beside it. store_key and product_key
        // are the versions the sale was sold with. No other index: each costs the load per row.
        """
        CREATE TABLE IF NOT EXISTS sales (
          transaction_id VARCHAR(40) NOT NULL,
          transaction_date DATE NOT NULL,
          transaction_time TIME NOT NULL,
          transaction_qty INT NOT NULL,
          store_id INT NOT NULL,
          product_id INT NOT NULL,
          unit_price DECIMAL(12,2) NOT NULL,
          total_amount DECIMAL(14,2) NOT NULL,
          row_version BIGINT NOT NULL,
          store_key INT UNSIGNED NOT NULL,
          product_key INT UNSIGNED NOT NULL,
          PRIMARY KEY (row_version),
          UNIQUE KEY ux_sales_transaction (transaction_id)
        ) ENGINE=InnoDB
        """,

        // The old scripts' flat table: each sale with the attributes it was sold with.
        """
        CREATE OR REPLACE VIEW sales_data AS
        SELECT s.transaction_id, s.transaction_date, s.transaction_time, s.transaction_qty,
               s.store_id, st.store_location, s.product_id, s.unit_price,
               p.product_category, p.product_type, p.product_detail, s.total_amount
        FROM sales s
        JOIN store_versions st ON st.store_key = s.store_key
        JOIN product_versions p ON p.product_key = s.product_key
        """,
        // The same with every sale under its store's and product's current attributes.
        """
        CREATE OR REPLACE VIEW sales_data_current AS
        SELECT s.transaction_id, s.transaction_date, s.transaction_time, s.transaction_qty,
               s.store_id, st.store_location, s.product_id, s.unit_price,
               p.product_category, p.product_type, p.product_detail, s.total_amount
        FROM sales s
        JOIN stores st ON st.store_id = s.store_id
        JOIN products p ON p.product_id = s.product_id
        """,

        // No longer written: ingest's IngestionRead filled it before the ingestion ledger (ingest's
        // own tables) replaced it; kept until a migration drops it.
        """
        CREATE TABLE IF NOT EXISTS ingestion (
          ingestion_id CHAR(36) NOT NULL PRIMARY KEY,
          source VARCHAR(1024) NOT NULL,
          rows_read BIGINT NOT NULL,
          batches INT NOT NULL,
          error TEXT NULL,
          read_at DATETIME(6) NOT NULL
        ) ENGINE=InnoDB
        """,
        // Every batch stored, with its accounting (rows read, accepted, superseded, quarantined,
        // out of range) and the writer process that stored it (stored_by). The defaults are the
        // ones the columns were added with; the writer always sets both.
        """
        CREATE TABLE IF NOT EXISTS ingestion_batch (
          ingestion_id CHAR(36) NOT NULL,
          sequence INT NOT NULL,
          ingestion_number BIGINT NOT NULL DEFAULT 0,
          rows_read INT NOT NULL,
          accepted INT NOT NULL,
          superseded INT NOT NULL,
          quarantined INT NOT NULL,
          out_of_range INT NOT NULL,
          stored_at DATETIME(6) NOT NULL,
          stored_by VARCHAR(100) NOT NULL DEFAULT '',
          PRIMARY KEY (ingestion_id, sequence)
        ) ENGINE=InnoDB
        """,
        // Quarantined lines as they were read, and every reason each was refused for.
        """
        CREATE TABLE IF NOT EXISTS quarantined_row (
          ingestion_id CHAR(36) NOT NULL,
          source_line BIGINT NOT NULL,
          raw_line MEDIUMTEXT NOT NULL,
          quarantined_at DATETIME(6) NOT NULL,
          PRIMARY KEY (ingestion_id, source_line)
        ) ENGINE=InnoDB
        """,
        """
        CREATE TABLE IF NOT EXISTS quarantine_reason (
          ingestion_id CHAR(36) NOT NULL,
          source_line BIGINT NOT NULL,
          reason_no INT NOT NULL,
          reason VARCHAR(64) NOT NULL,
          detail VARCHAR(512) NOT NULL,
          PRIMARY KEY (ingestion_id, source_line, reason_no),
          KEY ix_reason (ingestion_id, reason)
        ) ENGINE=InnoDB
        """,
        // Which ingestion changed which attributes (from one version key to the next), for its
        // summary (attribute_changes).
        """
        CREATE TABLE IF NOT EXISTS attribute_change (
          ingestion_id CHAR(36) NOT NULL,
          dimension VARCHAR(16) NOT NULL,
          natural_key INT NOT NULL,
          from_key INT UNSIGNED NOT NULL,
          to_key INT UNSIGNED NOT NULL,
          valid_from DATETIME NOT NULL,
          recorded_at DATETIME(6) NOT NULL,
          PRIMARY KEY (ingestion_id, dimension, to_key)
        ) ENGINE=InnoDB
        """,

        // The transactional outbox and the inbox, as the messaging library defines them.
        .. MessagingSchema.Migration(StoreDialect.MySql, 3).Statements,
    ];
}
