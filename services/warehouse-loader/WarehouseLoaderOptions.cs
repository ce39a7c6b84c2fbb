namespace CoffeeMesh.WarehouseLoader;

/// <summary>The loader's settings (configuration section <c>Warehouse</c>).</summary>
public sealed class WarehouseLoaderOptions
{
    /// <summary>"duckdb" (embedded, the default) or "bigquery".</summary>
    public string Target { get; set; } = "duckdb";

    /// <summary>The DuckDB file (Target duckdb). Default: warehouse/coffeemesh.duckdb under the working folder.</summary>
    public string DuckDbPath { get; set; } = Path.Combine("warehouse", "coffeemesh.duckdb");

    /// <summary>The GCS JSON API to read objects from: the emulator's <c>http://host:port/storage/v1/</c>; unset for real GCS.</summary>
    public string? GcsUrl { get; set; }

    /// <summary>Only objects under this prefix are loaded; events for other objects are acknowledged and logged.</summary>
    public string ObjectPrefix { get; set; } = "processed/";

    /// <summary>Only objects of this bucket are loaded (unset: any bucket).</summary>
    public string? Bucket { get; set; }

    /// <summary>Largest CloudEvent request accepted, bytes (the object resource, not its content). Default 1 MiB.</summary>
    public long MaxEventBytes { get; set; } = 1 << 20;

    /// <summary>Largest object loaded, bytes. Default 1 GiB.</summary>
    public long MaxObjectBytes { get; set; } = 1L << 30;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Target is not ("duckdb" or "bigquery")) throw new ArgumentException($"Warehouse:Target must be 'duckdb' or 'bigquery', not '{Target}'");
        if (Target == "duckdb" && string.IsNullOrWhiteSpace(DuckDbPath)) throw new ArgumentException("Warehouse:DuckDbPath is required");
        if (GcsUrl is not null && !Uri.TryCreate(GcsUrl, UriKind.Absolute, out _)) throw new ArgumentException($"Warehouse:GcsUrl is not an absolute URL: '{GcsUrl}'");
        if (MaxEventBytes <= 0 || MaxObjectBytes <= 0) throw new ArgumentException("Warehouse:MaxEventBytes and MaxObjectBytes must be positive");
    }
}
