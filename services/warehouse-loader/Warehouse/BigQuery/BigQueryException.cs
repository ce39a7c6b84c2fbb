namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>
/// A BigQuery request or job that failed for a reason other than invalid input (those are
/// <see cref="InvalidDataException"/>): the service, the network, quota, or a job that did not finish in time.
/// Retrying the call later is the remedy; a load retried this way never loads an object twice.
/// </summary>
public sealed class BigQueryException(string message, int? statusCode = null, string? reason = null, string? jobId = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The HTTP status of the failed request, or null when a job failed (its reason says why) or none was answered.</summary>
    public int? StatusCode { get; } = statusCode;

    /// <summary>BigQuery's error reason (ErrorProto.reason: backendError, rateLimitExceeded, ...), when it gave one.</summary>
    public string? Reason { get; } = reason;

    /// <summary>The job concerned, when there is one.</summary>
    public string? JobId { get; } = jobId;
}
