using System.Globalization;
using System.Net;
using CsvHelper;
using Google;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.Options;
using GcsObject = Google.Apis.Storage.v1.Data.Object;

namespace CoffeeMesh.CloudPublisher;

/// <summary>
/// The bucket the processed objects go to, through the official client. Objects are written
/// create-only (ifGenerationMatch=0): a name that exists already (412) was written by an earlier
/// delivery of the same batch and is left as it is.
/// </summary>
public sealed class ProcessedObjects(StorageClient client, IOptions<CloudPublisherOptions> options, ILogger<ProcessedObjects> logger)
{
    /// <summary>
    /// Custom metadata on each object: its data rows, quantity and amount, the batch it came from, how many
    /// objects that batch wrote (a loader knows when it has all of a batch), and the ingestion's number (its
    /// rows replace those of lower numbers with the same transaction id).
    /// </summary>
    public const string RowsKey = "rows", QuantityKey = "quantity", AmountKey = "amount", IngestionKey = "ingestion_id", SequenceKey = "sequence",
        BatchObjectsKey = "batch_objects", IngestionNumberKey = "ingestion_number";

    private readonly CloudPublisherOptions _options = options.Value;
    private volatile bool _bucketReady;

    public string Bucket => _options.Bucket;

    /// <summary>Creates the bucket when it does not exist (once per process; a 409 means another replica just did).</summary>
    /// <exception cref="InvalidOperationException">The bucket is missing on real GCS and CloudPublisher:ProjectId is not set.</exception>
    public async Task EnsureBucketAsync(CancellationToken ct)
    {
        if (_bucketReady) return;
        try
        {
            await client.GetBucketAsync(Bucket, cancellationToken: ct);
        }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound)
        {
            var project = _options.ProjectId ?? (_options.GcsUrl is not null ? "coffeemesh" : null)
                ?? throw new InvalidOperationException($"bucket '{Bucket}' does not exist and CloudPublisher:ProjectId is not set to create it in");
            try
            {
                await client.CreateBucketAsync(project, Bucket, cancellationToken: ct);
                logger.LogInformation("Created bucket {Bucket}", Bucket);
            }
            catch (GoogleApiException c) when (c.HttpStatusCode == HttpStatusCode.Conflict) { }
        }
        _bucketReady = true;
    }

    /// <summary>
    /// Writes one part as object <paramref name="name"/> unless that name exists.
    /// </summary>
    /// <returns>The data rows the object holds: the part's, or, when it existed, those it records (its metadata, else counted).</returns>
    /// <param name="batchObjects">How many objects the batch writes in all (this one included).</param>
    public async Task<long> CreateAsync(string name, CsvPart part, Guid ingestionId, long ingestionNumber, int sequence, int batchObjects, CancellationToken ct)
    {
        var destination = new GcsObject
        {
            Bucket = Bucket,
            Name = name,
            ContentType = "text/csv; charset=utf-8",
            Metadata = new Dictionary<string, string>
            {
                [RowsKey] = part.Rows.ToString(CultureInfo.InvariantCulture),
                [QuantityKey] = part.Quantity.ToString(CultureInfo.InvariantCulture),
                [AmountKey] = part.Amount.ToString(CultureInfo.InvariantCulture),
                [IngestionKey] = ingestionId.ToString("D"),
                [SequenceKey] = sequence.ToString(CultureInfo.InvariantCulture),
                [BatchObjectsKey] = batchObjects.ToString(CultureInfo.InvariantCulture),
                [IngestionNumberKey] = ingestionNumber.ToString(CultureInfo.InvariantCulture),
            },
        };
        part.Content.Position = 0;
        try
        {
            await client.UploadObjectAsync(destination, part.Content, new UploadObjectOptions { IfGenerationMatch = 0 }, ct);
            return part.Rows;
        }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.PreconditionFailed)
        {
            var existing = await client.GetObjectAsync(Bucket, name, cancellationToken: ct);
            logger.LogInformation("Object {Name} exists already (generation {Generation}); left as it is", name, existing.Generation);
            if (existing.Metadata?.TryGetValue(RowsKey, out var rows) == true && long.TryParse(rows, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return n;
            return await CountRowsAsync(name, ct);
        }
    }

    /// <summary>The data rows of an object written without our metadata (not by us): its records, less the header.</summary>
    private async Task<long> CountRowsAsync(string name, CancellationToken ct)
    {
        using var content = new MemoryStream();
        await client.DownloadObjectAsync(Bucket, name, content, cancellationToken: ct);
        using var reader = CsvReader.Create(content.ToArray(), CsvReaderOptions.Default);
        long rows = 0;
        while (reader.Read()) rows++;
        return rows;
    }
}
