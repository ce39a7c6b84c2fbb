namespace CoffeeMesh.WarehouseLoader.Warehouse;

/// <summary>
/// The embedded warehouse's tables: the old BigQuery star schema (dim_date, dim_time, dim_store, dim_product,
/// fact_sales) and loaded_object, the record that makes a load happen once per object generation.
/// </summary>
internal static class DuckDbSchema
{
    public static readonly IReadOnlyList<string> Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS dim_date (
          date_id INTEGER PRIMARY KEY,          -- yyyyMMdd
          transaction_date DATE NOT NULL,
          day INTEGER NOT NULL, month INTEGER NOT NULL, year INTEGER NOT NULL,
          weekday VARCHAR NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS dim_time (
          time_id INTEGER PRIMARY KEY,          -- HHmmss
          transaction_time TIME NOT NULL,
          hour INTEGER NOT NULL, minute INTEGER NOT NULL, second INTEGER NOT NULL
        )
        """,
        """
        INSERT OR IGNORE INTO dim_time
        SELECT h * 10000 + m * 100 + s, make_time(h, m, s::DOUBLE), h, m, s
        FROM range(24) t1(h), range(60) t2(m), range(60) t3(s)
        """,
        // A version of a store (or product) is one set of its attributes as sold; valid from its first
        // sale to the next version's first sale (slowly changing dimension, type 2).
        """
        CREATE TABLE IF NOT EXISTS dim_store (
          store_key INTEGER PRIMARY KEY,
          store_id INTEGER NOT NULL,
          store_location VARCHAR NOT NULL,
          valid_from DATE NOT NULL,
          valid_to DATE,
          is_current BOOLEAN NOT NULL,
          UNIQUE (store_id, store_location)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS dim_product (
          product_key INTEGER PRIMARY KEY,
          product_id INTEGER NOT NULL,
          product_category VARCHAR NOT NULL,
          product_type VARCHAR NOT NULL,
          product_detail VARCHAR NOT NULL,
          unit_price DECIMAL(12,2) NOT NULL,
          valid_from DATE NOT NULL,
          valid_to DATE,
          is_current BOOLEAN NOT NULL,
          UNIQUE (product_id, product_category, product_type, product_detail, unit_price)
        )
        """,
        // One row per sale. (ingestion_number, sequence) orders two loads of the same transaction id:
        // the later ingestion (or later batch) wins, whatever order the events arrive in.
        """
        CREATE TABLE IF NOT EXISTS fact_sales (
          transaction_id VARCHAR PRIMARY KEY,
          date_id INTEGER NOT NULL,
          time_id INTEGER NOT NULL,
          store_key INTEGER NOT NULL,
          product_key INTEGER NOT NULL,
          store_id INTEGER NOT NULL,
          product_id INTEGER NOT NULL,
          transaction_qty INTEGER NOT NULL,
          unit_price DECIMAL(12,2) NOT NULL,
          total_amount DECIMAL(14,2) NOT NULL,
          ingestion_number BIGINT NOT NULL,
          sequence INTEGER NOT NULL,
          object_key VARCHAR NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS loaded_object (
          object_key VARCHAR PRIMARY KEY,       -- bucket/name#generation
          ingestion_id UUID NOT NULL,
          sequence INTEGER NOT NULL,
          batch_objects INTEGER NOT NULL,
          row_count BIGINT NOT NULL,
          first_date DATE,
          last_date DATE,
          loaded_at TIMESTAMPTZ NOT NULL
        )
        """,
    ];
}
