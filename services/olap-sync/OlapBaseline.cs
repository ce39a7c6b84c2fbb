using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// olap-sync's PostgreSQL tables as they are today (migration 7), written out whole: what a fresh
/// database is built from (<see cref="Migration.Baseline"/>). An existing database reaches the same
/// tables through <see cref="OlapSchema.Migrations"/>; OlapSchemaTests checks the two agree. Column
/// order and defaults follow the history (PostgreSQL appends added columns), so both paths give
/// identical tables.
/// </summary>
public static class OlapBaseline
{
    /// <summary>The statements, in order, run in one transaction.</summary>
    public static readonly IReadOnlyList<string> Statements =
    [
        // Smart keys: date_id = yyyymmdd, time_id = hhmmss. Every replica and every load derives
        // the same key from the value, with no lookup. dim_date gains the dates the facts name.
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
        // dim_time is static: every second of the day, filled here, so a batch never adds to it.
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
        INSERT INTO dim_time (time_id, transaction_time, hour, minute, second)
        SELECT h * 10000 + m * 100 + s, make_time(h, m, s), h, m, s
        FROM generate_series(0, 23) h, generate_series(0, 59) m, generate_series(0, 59) s
        ON CONFLICT DO NOTHING
        """,

        // Stores and products, versioned (slowly changing dimensions, type 2) as in MySQL's
        // store_versions and product_versions, under the same keys: each version valid from its
        // first sale to valid_to (null while current). source_updated_at is MySQL's updated_at: a
        // version changes only to a newer one.
        """
        CREATE TABLE IF NOT EXISTS dim_store (
          store_id INT NOT NULL,
          store_location TEXT NOT NULL,
          source_updated_at TIMESTAMP(6) NOT NULL,
          store_key INT PRIMARY KEY,
          valid_from TIMESTAMP NOT NULL,
          valid_to TIMESTAMP,
          is_current BOOLEAN NOT NULL DEFAULT TRUE
        )
        """,
        "CREATE INDEX IF NOT EXISTS ix_dim_store_id ON dim_store (store_id, valid_from)",
        """
        CREATE TABLE IF NOT EXISTS dim_product (
          product_id INT NOT NULL,
          product_category TEXT NOT NULL,
          product_type TEXT NOT NULL,
          product_detail TEXT NOT NULL,
          unit_price NUMERIC(12,2) NOT NULL,
          source_updated_at TIMESTAMP(6) NOT NULL,
          product_key INT PRIMARY KEY,
          valid_from TIMESTAMP NOT NULL,
          valid_to TIMESTAMP,
          is_current BOOLEAN NOT NULL DEFAULT TRUE
        )
        """,
        "CREATE INDEX IF NOT EXISTS ix_dim_product_id ON dim_product (product_id, valid_from)",

        // One row per sale, with the natural ids and the keys of the store and product versions it
        // was sold with. row_version is MySQL's: a late or replayed batch never undoes a newer row.
        // No foreign keys and no B-tree besides the key: each costs the bulk load per row, and the
        // sync writes a fact's dimensions before the fact. BRIN on row_version (rows arrive roughly
        // in version order) finds an ingestion's rows at almost no write cost.
        """
        CREATE TABLE IF NOT EXISTS fact_sales (
          transaction_id TEXT PRIMARY KEY,
          date_id INT NOT NULL,
          time_id INT NOT NULL,
          store_id INT NOT NULL,
          product_id INT NOT NULL,
          transaction_qty INT NOT NULL,
          total_amount NUMERIC(14,2) NOT NULL,
          row_version BIGINT NOT NULL,
          store_key INT NOT NULL,
          product_key INT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS ix_fact_sales_version ON fact_sales USING brin (row_version)",

        // Every batch synced (its rows, when, by which process), recorded with its facts.
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
        // Facts PostgreSQL refused although MySQL took them (RejectedFacts), with its message.
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

        // The dashboard's aggregate, kept with each batch's facts (SalesAggregate).
        OlapSchema.SalesHourlyTable,

        // The old Power BI reports. By month and hour; by store, category and product with the
        // attributes each sale was sold with; the _current views with today's attributes.
        """
        CREATE OR REPLACE VIEW sales_by_month AS
        SELECT d.year, d.month, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
        FROM fact_sales f JOIN dim_date d ON d.date_id = f.date_id
        GROUP BY d.year, d.month
        """,
        """
        CREATE OR REPLACE VIEW sales_by_hour AS
        SELECT t.hour, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
        FROM fact_sales f JOIN dim_time t ON t.time_id = f.time_id
        GROUP BY t.hour
        """,
        """
        CREATE OR REPLACE VIEW sales_by_store AS
        SELECT s.store_id, s.store_location, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
        FROM fact_sales f JOIN dim_store s ON s.store_key = f.store_key
        GROUP BY s.store_id, s.store_location
        """,
        """
        CREATE OR REPLACE VIEW sales_by_store_current AS
        SELECT s.store_id, s.store_location, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
        FROM fact_sales f JOIN dim_store s ON s.store_id = f.store_id AND s.is_current
        GROUP BY s.store_id, s.store_location
        """,
        """
        CREATE OR REPLACE VIEW sales_by_category AS
        SELECT p.product_category, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
        FROM fact_sales f JOIN dim_product p ON p.product_key = f.product_key
        GROUP BY p.product_category
        """,
        """
        CREATE OR REPLACE VIEW sales_by_category_current AS
        SELECT p.product_category, SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
        FROM fact_sales f JOIN dim_product p ON p.product_id = f.product_id AND p.is_current
        GROUP BY p.product_category
        """,
        """
        CREATE OR REPLACE VIEW sales_by_product AS
        SELECT p.product_id, p.product_category, p.product_type, p.product_detail, p.unit_price,
               SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
        FROM fact_sales f JOIN dim_product p ON p.product_key = f.product_key
        GROUP BY p.product_id, p.product_category, p.product_type, p.product_detail, p.unit_price
        """,
        """
        CREATE OR REPLACE VIEW sales_by_product_current AS
        SELECT p.product_id, p.product_category, p.product_type, p.product_detail, p.unit_price,
               SUM(f.transaction_qty) AS quantity, SUM(f.total_amount) AS revenue, COUNT(*) AS transactions
        FROM fact_sales f JOIN dim_product p ON p.product_id = f.product_id AND p.is_current
        GROUP BY p.product_id, p.product_category, p.product_type, p.product_detail, p.unit_price
        """,

        // The transactional outbox and the inbox, as the messaging library defines them.
        .. MessagingSchema.Migration(StoreDialect.PostgreSql, 2).Statements,
    ];
}
