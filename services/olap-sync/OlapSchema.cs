using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// The star schema of the old scripts (dim_date, dim_time, dim_store, dim_product, fact_sales) on
/// PostgreSQL, plus what olap-sync needs to be exact: row_version on facts (the newer row wins
/// whatever order batches arrive in), the source's updated_at on the store and product dimensions,
/// and a record of every batch synced. This is the history, for databases that exist; today's
/// tables are written out in <see cref="OlapBaseline"/>, which a fresh database is built from (the
/// baseline of migration 7).
/// </summary>
public static class OlapSchema
{
    public static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "star schema", [
            // Smart keys: date_id = yyyymmdd, time_id = hhmmss. Every replica and every load
            // (BigQuery's too) derives the same key from the value, with no lookup.
            """
            CREATE TABLE IF NOT EXISTS dim_date (
              date_id INT PRIMARY KEY,
              transaction_date DATE NOT NULL UNIQUE,
              day INT NOT NULL,
              month INT NOT NULL,
              year INT NOT NULL,
              weekday TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS dim_time (
              time_id INT PRIMARY KEY,
              transaction_time TIME NOT NULL UNIQUE,
              hour INT NOT NULL,
              minute INT NOT NULL,
              second INT NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS dim_store (
              store_id INT PRIMARY KEY,
              store_location TEXT NOT NULL,
              source_updated_at TIMESTAMP(6) NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS dim_product (
              product_id INT PRIMARY KEY,
              product_category TEXT NOT NULL,
              product_type TEXT NOT NULL,
              product_detail TEXT NOT NULL,
              unit_price NUMERIC(12,2) NOT NULL,
              source_updated_at TIMESTAMP(6) NOT NULL
            )
            """,
            // No foreign keys and no B-tree besides the key: each costs the bulk upsert per row, and
            // the sync writes a fact's dimensions in the same transaction before the fact itself.
            // BRIN on row_version (rows arrive roughly in version order) finds one ingestion's rows
            // for reconciliation at almost no write cost.
            """
            CREATE TABLE IF NOT EXISTS fact_sales (
              transaction_id TEXT PRIMARY KEY,
              date_id INT NOT NULL,
              time_id INT NOT NULL,
              store_id INT NOT NULL,
              product_id INT NOT NULL,
              transaction_qty INT NOT NULL,
              total_amount NUMERIC(14,2) NOT NULL,
              row_version BIGINT NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS ix_fact_sales_version ON fact_sales USING brin (row_version)",
            """
            CREATE TABLE IF NOT EXISTS sync_batch (
              ingestion_id UUID NOT NULL,
              sequence INT NOT NULL,
              ingestion_number BIGINT NOT NULL,
              rows_synced INT NOT NULL,
              synced_at TIMESTAMPTZ NOT NULL,
              synced_by TEXT NOT NULL,
              PRIMARY KEY (ingestion_id, sequence)
            )
            """,
        ]),
        MessagingSchema.Migration(StoreDialect.PostgreSql, 2),
        // The old Power BI reports: sales by month, store, category and hour.
        new(3, "report views", [
            """
            CREATE OR REPLACE VIEW sales_by_month AS
            SELECT d.year, d.month, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
            FROM fact_sales f JOIN dim_date d ON d.date_id = f.date_id
            GROUP BY d.year, d.month
            """,
            """
            CREATE OR REPLACE VIEW sales_by_store AS
            SELECT s.store_id, s.store_location, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
            FROM fact_sales f JOIN dim_store s ON s.store_id = f.store_id
            GROUP BY s.store_id, s.store_location
            """,
            """
            CREATE OR REPLACE VIEW sales_by_category AS
            SELECT p.product_category, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
            FROM fact_sales f JOIN dim_product p ON p.product_id = f.product_id
            GROUP BY p.product_category
            """,
            """
            CREATE OR REPLACE VIEW sales_by_hour AS
            SELECT t.hour, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
            FROM fact_sales f JOIN dim_time t ON t.time_id = f.time_id
            GROUP BY t.hour
            """,
        ]),
        // The time dimension is static: all 86,400 seconds of a day, so a batch never adds to it
        // (adding the few hundred new times of each early batch was a large share of the sync).
        new(4, "dim_time holds every second of the day", [
            """
            INSERT INTO dim_time (time_id, transaction_time, hour, minute, second)
            SELECT h * 10000 + m * 100 + s, make_time(h, m, s), h, m, s
            FROM generate_series(0, 23) h, generate_series(0, 59) m, generate_series(0, 59) s
            ON CONFLICT DO NOTHING
            """,
        ]),
        // Slowly changing dimensions, type 2, mirroring MySQL's store_versions and product_versions:
        // a fact keeps the key of the versions it was sold with. Existing rows become each key's
        // first version, keyed by its natural id as in MySQL's migration, valid from its first fact.
        new(5, "store and product dimensions versioned: slowly changing dimensions, type 2", [
            "ALTER TABLE dim_store ADD COLUMN store_key INT, ADD COLUMN valid_from TIMESTAMP, ADD COLUMN valid_to TIMESTAMP, ADD COLUMN is_current BOOLEAN NOT NULL DEFAULT TRUE",
            "ALTER TABLE dim_product ADD COLUMN product_key INT, ADD COLUMN valid_from TIMESTAMP, ADD COLUMN valid_to TIMESTAMP, ADD COLUMN is_current BOOLEAN NOT NULL DEFAULT TRUE",
            "ALTER TABLE fact_sales ADD COLUMN store_key INT, ADD COLUMN product_key INT",
            "UPDATE fact_sales SET store_key = store_id, product_key = product_id",
            "ALTER TABLE fact_sales ALTER COLUMN store_key SET NOT NULL, ALTER COLUMN product_key SET NOT NULL",
            """
            UPDATE dim_store d SET store_key = d.store_id, valid_from = COALESCE(m.first_sold, '1970-01-01')
            FROM dim_store s LEFT JOIN (
              SELECT f.store_id, MIN(dd.transaction_date + t.transaction_time) AS first_sold
              FROM fact_sales f JOIN dim_date dd ON dd.date_id = f.date_id JOIN dim_time t ON t.time_id = f.time_id GROUP BY f.store_id) m
              ON m.store_id = s.store_id
            WHERE s.store_id = d.store_id
            """,
            """
            UPDATE dim_product d SET product_key = d.product_id, valid_from = COALESCE(m.first_sold, '1970-01-01')
            FROM dim_product p LEFT JOIN (
              SELECT f.product_id, MIN(dd.transaction_date + t.transaction_time) AS first_sold
              FROM fact_sales f JOIN dim_date dd ON dd.date_id = f.date_id JOIN dim_time t ON t.time_id = f.time_id GROUP BY f.product_id) m
              ON m.product_id = p.product_id
            WHERE p.product_id = d.product_id
            """,
            "ALTER TABLE dim_store DROP CONSTRAINT dim_store_pkey, ALTER COLUMN store_key SET NOT NULL, ALTER COLUMN valid_from SET NOT NULL, ADD PRIMARY KEY (store_key)",
            "ALTER TABLE dim_product DROP CONSTRAINT dim_product_pkey, ALTER COLUMN product_key SET NOT NULL, ALTER COLUMN valid_from SET NOT NULL, ADD PRIMARY KEY (product_key)",
            "CREATE INDEX ix_dim_store_id ON dim_store (store_id, valid_from)",
            "CREATE INDEX ix_dim_product_id ON dim_product (product_id, valid_from)",
            // Reports by the attributes a sale was sold with, and by the current ones (_current).
            "DROP VIEW IF EXISTS sales_by_store, sales_by_category",
            """
            CREATE VIEW sales_by_store AS
            SELECT s.store_id, s.store_location, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
            FROM fact_sales f JOIN dim_store s ON s.store_key = f.store_key
            GROUP BY s.store_id, s.store_location
            """,
            """
            CREATE VIEW sales_by_store_current AS
            SELECT s.store_id, s.store_location, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
            FROM fact_sales f JOIN dim_store s ON s.store_id = f.store_id AND s.is_current
            GROUP BY s.store_id, s.store_location
            """,
            """
            CREATE VIEW sales_by_category AS
            SELECT p.product_category, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
            FROM fact_sales f JOIN dim_product p ON p.product_key = f.product_key
            GROUP BY p.product_category
            """,
            """
            CREATE VIEW sales_by_category_current AS
            SELECT p.product_category, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
            FROM fact_sales f JOIN dim_product p ON p.product_id = f.product_id AND p.is_current
            GROUP BY p.product_category
            """,
            """
            CREATE VIEW sales_by_product AS
            SELECT p.product_id, p.product_category, p.product_type, p.product_detail, p.unit_price,
                   SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
            FROM fact_sales f JOIN dim_product p ON p.product_key = f.product_key
            GROUP BY p.product_id, p.product_category, p.product_type, p.product_detail, p.unit_price
            """,
            """
            CREATE VIEW sales_by_product_current AS
            SELECT p.product_id, p.product_category, p.product_type, p.product_detail, p.unit_price,
                   SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
            FROM fact_sales f JOIN dim_product p ON p.product_id = f.product_id AND p.is_current
            GROUP BY p.product_id, p.product_category, p.product_type, p.product_detail, p.unit_price
            """,
        ]),
        // Facts PostgreSQL refused although MySQL took them (RejectedFacts), with its message.
        new(6, "facts the star schema refused", [
            """
            CREATE TABLE IF NOT EXISTS sync_rejected (
              ingestion_id UUID NOT NULL,
              row_version BIGINT NOT NULL,
              transaction_id TEXT NOT NULL,
              reason TEXT NOT NULL,
              detail TEXT NOT NULL,
              rejected_at TIMESTAMPTZ NOT NULL,
              PRIMARY KEY (ingestion_id, row_version)
            )
            """,
        ]),
        // The dashboard's aggregate (SalesAggregate keeps it with each batch), filled from the facts there are.
        new(7, "sales by date, hour, store version and product version", [
            SalesHourlyTable,
            """
            INSERT INTO sales_hourly (date_id, hour, store_key, product_key, transactions, quantity, revenue)
            SELECT date_id, time_id / 10000, store_key, product_key, COUNT(*), SUM(transaction_qty), SUM(total_amount)
            FROM fact_sales GROUP BY 1, 2, 3, 4
            ON CONFLICT DO NOTHING
            """,
        ]) { Baseline = OlapBaseline.Statements },
    ];

    /// <summary>
    /// One row per date (yyyymmdd), hour (0-23), store version and product version: transactions
    /// (facts), quantity (items) and revenue (SUM of total_amount, exact). The dashboard reads it.
    /// </summary>
    internal const string SalesHourlyTable =
        """
        CREATE TABLE IF NOT EXISTS sales_hourly (
          date_id INT NOT NULL,
          hour INT NOT NULL,
          store_key INT NOT NULL,
          product_key INT NOT NULL,
          transactions BIGINT NOT NULL,
          quantity BIGINT NOT NULL,
          revenue NUMERIC(18,2) NOT NULL,
          PRIMARY KEY (date_id, hour, store_key, product_key)
        )
        """;
}
