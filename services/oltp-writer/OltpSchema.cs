using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OltpWriter;

/// <summary>
/// oltp-writer's MySQL schema, as versioned migrations (applied on start, safe to rerun). This is
/// the history, for databases that exist; today's tables are written out in <see cref="OltpBaseline"/>,
/// which a fresh database is built from (the baseline of migration 8).
/// </summary>
public static class OltpSchema
{
    public static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "stores, products, sales", [
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
            // row_version = (ingestion number << 32) + source line: the later line of the later
            // ingestion wins, whatever order batches arrive in.
            """
            CREATE TABLE IF NOT EXISTS sales (
              transaction_id VARCHAR(40) NOT NULL PRIMARY KEY,
              transaction_date DATE NOT NULL,
              transaction_time TIME NOT NULL,
              transaction_qty INT NOT NULL,
              store_id INT NOT NULL,
              product_id INT NOT NULL,
              unit_price DECIMAL(12,2) NOT NULL,
              total_amount DECIMAL(14,2) NOT NULL,
              ingestion_id CHAR(36) NOT NULL,
              source_line BIGINT NOT NULL,
              row_version BIGINT NOT NULL,
              KEY ix_sales_date (transaction_date, transaction_time),
              KEY ix_sales_ingestion (ingestion_id)
            ) ENGINE=InnoDB
            """,
            // The old scripts' flat table, as a view over the normalised ones.
            """
            CREATE OR REPLACE VIEW sales_data AS
            SELECT s.transaction_id, s.transaction_date, s.transaction_time, s.transaction_qty,
                   s.store_id, st.store_location, s.product_id, s.unit_price,
                   p.product_category, p.product_type, p.product_detail, s.total_amount
            FROM sales s
            JOIN stores st ON st.store_id = s.store_id
            JOIN products p ON p.product_id = s.product_id
            """,
        ]),
        new(2, "ingestion accounting and quarantine", [
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
            """
            CREATE TABLE IF NOT EXISTS ingestion_batch (
              ingestion_id CHAR(36) NOT NULL,
              sequence INT NOT NULL,
              rows_read INT NOT NULL,
              accepted INT NOT NULL,
              superseded INT NOT NULL,
              quarantined INT NOT NULL,
              out_of_range INT NOT NULL,
              stored_at DATETIME(6) NOT NULL,
              PRIMARY KEY (ingestion_id, sequence)
            ) ENGINE=InnoDB
            """,
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
        ]),
        MessagingSchema.Migration(StoreDialect.MySql, 3),
        // Each secondary index on sales costs the write path more than the load itself
        // (docs/performance.md). row_version already names the ingestion (its high 32 bits) and
        // the line, so one index on it finds an ingestion's or a batch's rows; the by-date index
        // served no query of ours.
        new(4, "sales indexed by row_version only", [
            Guarded.When(
                "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'sales' AND index_name = 'ix_sales_ingestion'",
                "ALTER TABLE sales DROP INDEX ix_sales_date, DROP INDEX ix_sales_ingestion, DROP COLUMN ingestion_id, ADD KEY ix_sales_version (row_version)"),
            Guarded.When(
                "SELECT COUNT(*) = 0 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'ingestion_batch' AND column_name = 'ingestion_number'",
                "ALTER TABLE ingestion_batch ADD COLUMN ingestion_number BIGINT NOT NULL DEFAULT 0 AFTER sequence"),
        ]),
        // Which writer process stored a batch: with N replicas, the batch table shows the work spread.
        new(5, "batch records the writer that stored it", [
            Guarded.When(
                "SELECT COUNT(*) = 0 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'ingestion_batch' AND column_name = 'stored_by'",
                "ALTER TABLE ingestion_batch ADD COLUMN stored_by VARCHAR(100) NOT NULL DEFAULT ''"),
        ]),
        // A row's source line is the low 32 bits of its row_version: not stored twice.
        new(6, "sales without source_line", [
            Guarded.When(
                "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'sales' AND column_name = 'source_line'",
                "ALTER TABLE sales DROP COLUMN source_line"),
        ]),
        // Clustered by row_version: a batch's rows are appended in line order instead of being
        // spread over the table by id (mid-page splits left half-empty pages), and olap-sync and the
        // reports read a batch or an ingestion as one range of the table instead of one primary-key
        // lookup per row. transaction_id keeps its uniqueness as a secondary key. row_version is
        // unique: an ingestion's line is one sale.
        new(7, "sales clustered by row_version", [
            Guarded.When(
                "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'sales' AND index_name = 'PRIMARY' AND column_name = 'transaction_id'",
                "ALTER TABLE sales DROP PRIMARY KEY, ADD PRIMARY KEY (row_version), ADD UNIQUE KEY ux_sales_transaction (transaction_id), DROP KEY ix_sales_version"),
        ]),
        // Slowly changing dimensions, type 2 (DimensionVersions): a sale stores the key of the store
        // and product version it was sold with. What existed becomes each key's first version, keyed
        // by its natural id (so olap-sync's migration gives the star schema the same keys without
        // asking MySQL); new versions are numbered from 1,000,000,000 (above any natural id of these
        // tables, and within PostgreSQL's INT). Keys are 4 bytes: 8-byte keys cost the mesh's
        // databases measurably more per sale (docs/performance.md).
        new(8, "stores and products versioned: slowly changing dimensions, type 2", [
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
            """
            INSERT IGNORE INTO store_versions (store_key, store_id, store_location, valid_from, valid_from_version, valid_to, is_current, updated_at)
            SELECT s.store_id, s.store_id, s.store_location, COALESCE(m.first_sold, '1970-01-01'), 0, NULL, TRUE, s.updated_at
            FROM stores s
            LEFT JOIN (SELECT store_id, MIN(TIMESTAMP(transaction_date, transaction_time)) AS first_sold FROM sales GROUP BY store_id) m USING (store_id)
            """,
            """
            INSERT IGNORE INTO product_versions (product_key, product_id, product_category, product_type, product_detail, unit_price,
                                                 valid_from, valid_from_version, valid_to, is_current, updated_at)
            SELECT p.product_id, p.product_id, p.product_category, p.product_type, p.product_detail, p.unit_price,
                   COALESCE(m.first_sold, '1970-01-01'), 0, NULL, TRUE, p.updated_at
            FROM products p
            LEFT JOIN (SELECT product_id, MIN(TIMESTAMP(transaction_date, transaction_time)) AS first_sold FROM sales GROUP BY product_id) m USING (product_id)
            """,
            Guarded.When(
                "SELECT COUNT(*) = 0 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'sales' AND column_name = 'store_key'",
                "ALTER TABLE sales ADD COLUMN store_key INT UNSIGNED NOT NULL, ADD COLUMN product_key INT UNSIGNED NOT NULL"),
            "UPDATE sales SET store_key = store_id, product_key = product_id WHERE store_key = 0 OR product_key = 0",
            // Which ingestion changed which attributes, for its summary (attribute_changes).
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
        ]) { Baseline = OltpBaseline.Statements },
    ];
}
