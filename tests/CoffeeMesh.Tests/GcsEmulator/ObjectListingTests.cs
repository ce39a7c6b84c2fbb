using System.Text.Json;
using Google.Cloud.Storage.V1;

namespace CoffeeMesh.Tests.GcsEmulator;

/// <summary>objects.list paging, prefixes and offsets (CoffeeMesh.GcsEmulator.Storage.ObjectListing).</summary>
public sealed class ObjectListingTests : IAsyncLifetime
{
    private EmulatorHost _gcs = null!;
    private string _bucket = "";

    public async ValueTask InitializeAsync()
    {
        _gcs = await EmulatorHost.StartAsync();
        _bucket = await _gcs.NewBucketAsync();
    }

    public ValueTask DisposeAsync() => _gcs.DisposeAsync();

    [Fact]
    public async Task Paging_with_the_official_client_returns_every_object_once_in_name_order()
    {
        var names = Enumerable.Range(0, 23).Select(i => $"processed/date=2024-01-{i % 5 + 1:00}/{i:000}.csv").ToList();
        await UploadAllAsync(names);

        var listed = new List<string>();
        var pages = 0;
        await foreach (var page in _gcs.Client.ListObjectsAsync(_bucket, "processed/", new ListObjectsOptions { PageSize = 4 }).AsRawResponses())
        {
            pages++;
            Assert.True((page.Items?.Count ?? 0) <= 4);
            listed.AddRange(page.Items?.Select(o => o.Name) ?? []);
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), listed);
        Assert.Equal(6, pages);
    }

    [Fact]
    public async Task Paging_with_a_delimiter_counts_prefixes_and_objects_and_repeats_none()
    {
        await UploadAllAsync(["a.txt", "b/1", "b/2", "b/3", "c.txt", "d/x/1", "d/y", "e.txt", "other/1"]);

        var (items, prefixes, pages) = await ListAllAsync("delimiter=/&maxResults=2");

        Assert.Equal(["a.txt", "c.txt", "e.txt"], items);
        Assert.Equal(["b/", "d/", "other/"], prefixes);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Prefix_with_delimiter_lists_one_level_below_the_prefix()
    {
        await UploadAllAsync(["d/x/1", "d/x/2", "d/y", "d/z/9", "dz"]);

        var (items, prefixes, _) = await ListAllAsync("prefix=d/&delimiter=/&maxResults=1");

        Assert.Equal(["d/y"], items);
        Assert.Equal(["d/x/", "d/z/"], prefixes);
    }

    [Fact]
    public async Task Start_offset_is_inclusive_and_end_offset_exclusive()
    {
        await UploadAllAsync(["k1", "k2", "k3", "k4", "k5"]);

        var (items, _, _) = await ListAllAsync("startOffset=k2&endOffset=k4&maxResults=1");

        Assert.Equal(["k2", "k3"], items);
    }

    [Fact]
    public async Task Versions_lists_noncurrent_generations_of_a_versioned_bucket_oldest_first()
    {
        var versioned = await _gcs.NewBucketAsync(versioning: true);
        var generations = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var o = await _gcs.Client.UploadObjectAsync(versioned, "v.txt", "text/plain", new MemoryStream([(byte)('0' + i)]), cancellationToken: TestContext.Current.CancellationToken);
            generations.Add(o.Generation!.Value);
        }

        var all = new List<Google.Apis.Storage.v1.Data.Object>();
        await foreach (var o in _gcs.Client.ListObjectsAsync(versioned, null, new ListObjectsOptions { Versions = true, PageSize = 1 }))
            all.Add(o);
        var live = new List<Google.Apis.Storage.v1.Data.Object>();
        await foreach (var o in _gcs.Client.ListObjectsAsync(versioned)) live.Add(o);

        Assert.Equal(generations, all.Select(o => o.Generation!.Value));
        Assert.NotNull(all[0].TimeDeletedDateTimeOffset);
        Assert.Null(all[2].TimeDeletedDateTimeOffset);
        Assert.Equal([generations[2]], live.Select(o => o.Generation!.Value));
    }

    private async Task UploadAllAsync(IEnumerable<string> names)
    {
        foreach (var name in names)
            await _gcs.Client.UploadObjectAsync(_bucket, name, "text/plain", new MemoryStream("x"u8.ToArray()), cancellationToken: TestContext.Current.CancellationToken);
    }

    private async Task<(List<string> Items, List<string> Prefixes, int Pages)> ListAllAsync(string query)
    {
        var items = new List<string>();
        var prefixes = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = $"/storage/v1/b/{_bucket}/o?{query}" + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}");
            var page = JsonDocument.Parse(await _gcs.Http.GetStringAsync(url, TestContext.Current.CancellationToken)).RootElement;
            pages++;
            if (page.TryGetProperty("items", out var i)) items.AddRange(i.EnumerateArray().Select(o => o.GetProperty("name").GetString()!));
            if (page.TryGetProperty("prefixes", out var p)) prefixes.AddRange(p.EnumerateArray().Select(x => x.GetString()!));
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        } while (token is not null);
        return (items, prefixes, pages);
    }
}
