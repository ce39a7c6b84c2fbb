using System.Globalization;

namespace CoffeeMesh.CloudPublisher;

/// <summary>
/// Where a batch's rows of one date go: {prefix}/date=yyyy-MM-dd/{ingestion id}-{sequence}.csv. The
/// name depends only on the batch and the date, so a redelivered batch names the same objects, and
/// the date=... folders are Hive-style partitions a BigQuery external table or load job can prune by.
/// </summary>
public static class ObjectNames
{
    public static string For(string prefix, DateOnly date, Guid ingestionId, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}/date={date:yyyy-MM-dd}/{ingestionId:D}-{sequence}.csv");
}
