using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CoffeeMesh.Contracts;
using CoffeeMesh.Tests.Infrastructure;
using Google;
using Google.Cloud.Storage.V1;
using Bucket = Google.Apis.Storage.v1.Data.Bucket;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// cloud-publisher on the shared mesh: every synced batch becomes processed CSV objects in the GCS
/// emulator's bucket (run by the mesh's AppHost), read back here through the official client.
/// </summary>
public sealed partial class CloudPublisherTests(MeshFixture mesh) : MeshTests(mesh)
{
    private const string Bucket = "coffee-sales-data";

    [Fact]
    public async Task The_objects_hold_exactly_the_ingestions_rows_in_MySQL_one_object_per_batch_and_date()
    {
        // 2,700 rows over three days in date order, batches of 1,000: batches 0 and 1 each span two days.
        // A transaction repeated within batch 0 (the later row wins) and a row with a bad quantity (quarantined).
        var rows = Enumerable.Range(0, 2700).Select(i => Csv.Row(86_000_000 + i, $"2022/02/0{1 + i / 900}", time: $"{7 + i % 900 / 60:00}:{i % 60:00}:00",
            qty: (1 + i % 4) + ".0")).ToList();
        rows.Insert(20, Csv.Row(86_000_010, "2022/02/01", time: "07:10:00", qty: "9.0"));
        rows.Insert(30, Csv.Row(86_999_999, "2022/02/01", qty: "two"));
        var relative = mesh.WriteLandingFile("cloud-publisher/three-days.csv", Csv.Header + string.Concat(rows));

        var status = await mesh.WaitAsync(await mesh.RequestAsync(relative));
        Assert.Equal("completed", status["state"]!.GetValue<string>());
        var id = status["ingestion_id"]!.GetValue<Guid>();
        var published = await WaitPublishedAsync(id);

        using var gcs = Client();
        var objects = await ObjectsOfAsync(gcs, id);
        var expectedNames = new[] { (1, 0), (2, 0), (2, 1), (3, 1), (3, 2) }
            .Select(x => $"processed/date=2022-02-0{x.Item1}/{id:D}-{x.Item2}.csv");
        Assert.Equal(expectedNames.Order(StringComparer.Ordinal), objects.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, file) in objects)
        {
            file.AssertShape();
            Assert.All(file.Rows, r => Assert.Equal(DateInName().Match(name).Groups[1].Value, r.Date.ToString("yyyy-MM-dd")));
        }
        var all = new ProcessedFile(SalesColumns.All, objects.Values.SelectMany(f => f.Rows).ToList());
        var stored = await SalesChecksum.StoredAsync(mesh.OltpConnectionString, id);
        Assert.Equal(stored, all.Checksum);
        Assert.Equal(2700, all.Rows.Count);
        Assert.Equal(await mesh.OltpScalarAsync<decimal>(
            "SELECT SUM(transaction_qty) FROM sales WHERE transaction_date BETWEEN '2022-02-01' AND '2022-02-03'"), all.Quantity);
        Assert.Equal(await mesh.OltpScalarAsync<decimal>(
            "SELECT SUM(total_amount) FROM sales WHERE transaction_date BETWEEN '2022-02-01' AND '2022-02-03'"), all.Amount);
        Assert.Contains(all.Rows, r => r.Id == "86000010_20220201" && r.Quantity == 9);
        Assert.Equal(2700, published.PublishedGcs);
        var stage = published.Stages.Single(s => s.Stage == "cloud-publisher");
        Assert.Equal((published.Batches, 2700L, 2700L), (stage.Batches, stage.RowsIn, stage.RowsOut));
    }

    [Fact]
    public async Task A_batch_delivered_twice_writes_each_object_once()
    {
        using var gcs = Client();
        // With versioning on, a second write of a name would keep the first as a noncurrent generation.
        await VersionedBucketAsync(gcs);
        await using var duplicator = await Duplicator.StartAsync(mesh.Prefix);
        var relative = mesh.WriteLandingFile("cloud-publisher/twice.csv",
            Csv.Header + string.Concat(Enumerable.Range(0, 2100).Select(i => Csv.Row(86_100_000 + i, "2022/02/10", time: $"{8 + i / 300:00}:{i % 60:00}:00"))));

        var status = await mesh.WaitAsync(await mesh.RequestAsync(relative));
        var id = status["ingestion_id"]!.GetValue<Guid>();
        var published = await WaitPublishedAsync(id);

        Assert.True(duplicator.Copies > 0);
        var generations = new List<Google.Apis.Storage.v1.Data.Object>();
        await foreach (var o in gcs.ListObjectsAsync(Bucket, "processed/date=2022-02-10/", new ListObjectsOptions { Versions = true }))
            if (o.Name.Contains($"/{id:D}-")) generations.Add(o);
        Assert.Equal(3, generations.Count);
        Assert.Equal(3, generations.Select(o => o.Name).Distinct().Count());
        Assert.Equal(2100, published.PublishedGcs);
        Assert.Equal(3, published.Stages.Single(s => s.Stage == "cloud-publisher").Batches);
    }

    private StorageClient Client() => new StorageClientBuilder { BaseUri = mesh.GcsUrl, UnauthenticatedAccess = true }.Build();

    private static async Task VersionedBucketAsync(StorageClient gcs)
    {
        var versioned = new Bucket.VersioningData { Enabled = true };
        try { await gcs.CreateBucketAsync("test-project", new Bucket { Name = Bucket, Versioning = versioned }); }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.Conflict)
        {
            await gcs.PatchBucketAsync(new Bucket { Name = Bucket, Versioning = versioned });
        }
    }

    /// <summary>The ingestion's live objects, by name, read back.</summary>
    private static async Task<Dictionary<string, ProcessedFile>> ObjectsOfAsync(StorageClient gcs, Guid id)
    {
        var objects = new Dictionary<string, ProcessedFile>();
        await foreach (var o in gcs.ListObjectsAsync(Bucket, "processed/"))
        {
            if (!o.Name.Contains($"/{id:D}-")) continue;
            using var content = new MemoryStream();
            await gcs.DownloadObjectAsync(o, content);
            objects[o.Name] = ProcessedFile.Parse(content.ToArray());
        }
        return objects;
    }

    /// <summary>Completion is the stores' counts: the publisher may still be at work. Waits until it reported every batch.</summary>
    private async Task<IngestionStatus> WaitPublishedAsync(Guid id)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var status = (await mesh.Ingest.GetFromJsonAsync<IngestionStatus>($"/ingestions/{id}"))!;
            if (status.Stages.SingleOrDefault(s => s.Stage == "cloud-publisher") is { } p && p.Batches == status.Batches && status.State == "completed") return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"cloud-publisher has not reported every batch of {id}: {System.Text.Json.JsonSerializer.Serialize(status)}");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"date=(\d{4}-\d{2}-\d{2})/")]
    private static partial Regex DateInName();
}
