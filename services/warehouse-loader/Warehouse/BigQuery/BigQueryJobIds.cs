using System.Security.Cryptography;
using System.Text;

namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>
/// Deterministic names for one object's load: its load job, its merge job and its staging table. Job ids allow
/// [A-Za-z0-9_-], at most 1,024 characters, so the object key (any characters) is hashed. The project and
/// dataset are part of the hash: two datasets loading the same object must not adopt each other's jobs.
/// A job id names one job forever, failed or not, so a job that failed is retried under the next attempt's id.
/// </summary>
internal sealed class BigQueryJobIds(string hash)
{
    public static BigQueryJobIds For(BigQueryOptions options, string objectKey) =>
        new(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{options.ProjectId}.{options.DatasetId}\n{objectKey}"))));

    /// <summary>The load job of attempt <paramref name="attempt"/> (0, 1, ...).</summary>
    public string Load(int attempt) => $"coffeemesh_load_{hash}_{attempt}";

    /// <summary>The merge (query) job of attempt <paramref name="attempt"/>.</summary>
    public string Merge(int attempt) => $"coffeemesh_merge_{hash}_{attempt}";

    /// <summary>The staging table the load job fills and the merge job reads.</summary>
    public string StagingTable => $"staging_{hash}";
}
