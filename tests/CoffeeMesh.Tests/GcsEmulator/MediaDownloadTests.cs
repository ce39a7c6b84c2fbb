using System.Net;
using System.Net.Http.Headers;
using Google.Cloud.Storage.V1;

namespace CoffeeMesh.Tests.GcsEmulator;

/// <summary>Media downloads and byte ranges (CoffeeMesh.GcsEmulator.Api.MediaDownload).</summary>
public sealed class MediaDownloadTests : IAsyncLifetime
{
    private readonly byte[] _data = Checksums.RandomBytes(1000, seed: 1000);
    private EmulatorHost _gcs = null!;
    private string _url = "";

    public async ValueTask InitializeAsync()
    {
        _gcs = await EmulatorHost.StartAsync();
        var bucket = await _gcs.NewBucketAsync();
        await _gcs.Client.UploadObjectAsync(bucket, "dir/range.bin", "application/octet-stream", new MemoryStream(_data), cancellationToken: TestContext.Current.CancellationToken);
        _url = $"/download/storage/v1/b/{bucket}/o/{Uri.EscapeDataString("dir/range.bin")}?alt=media";
    }

    public ValueTask DisposeAsync() => _gcs.DisposeAsync();

    [Fact]
    public async Task A_range_gives_206_with_exactly_those_bytes()
    {
        var response = await GetAsync("bytes=10-19");

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bytes 10-19/1000", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(_data[10..20], await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_open_range_and_a_range_past_the_end_stop_at_the_last_byte()
    {
        var open = await GetAsync("bytes=990-");
        var past = await GetAsync("bytes=995-5000");

        Assert.Equal(_data[990..], await open.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("bytes 995-999/1000", past.Content.Headers.ContentRange!.ToString());
        Assert.Equal(_data[995..], await past.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_suffix_range_gives_the_last_bytes_or_the_whole_object_when_longer()
    {
        var suffix = await GetAsync("bytes=-7");
        var longer = await GetAsync("bytes=-5000");

        Assert.Equal(HttpStatusCode.PartialContent, suffix.StatusCode);
        Assert.Equal("bytes 993-999/1000", suffix.Content.Headers.ContentRange!.ToString());
        Assert.Equal(_data[993..], await suffix.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(_data, await longer.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_range_starting_past_the_end_gives_416_with_the_size()
    {
        var response = await GetAsync("bytes=1000-");

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */1000", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task A_whole_download_carries_x_goog_hash_and_a_ranged_one_does_not()
    {
        var whole = await _gcs.Http.GetAsync(_url, TestContext.Current.CancellationToken);
        var part = await GetAsync("bytes=0-9");

        var expected = $"crc32c={Checksums.Crc32c(_data)},md5={Checksums.Md5(_data)}";
        Assert.Equal(expected, string.Join(",", whole.Headers.GetValues("x-goog-hash")));
        Assert.False(part.Headers.Contains("x-goog-hash"));
        Assert.Equal(_data, await whole.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_json_api_serves_media_too_and_the_official_client_downloads_a_range()
    {
        var viaJsonApi = await _gcs.Http.GetByteArrayAsync(_url.Replace("/download/storage/v1", "/storage/v1"), TestContext.Current.CancellationToken);
        var ranged = new MemoryStream();
        var bucket = _url.Split('/')[5];
        await _gcs.Client.DownloadObjectAsync(bucket, "dir/range.bin", ranged,
            new DownloadObjectOptions { Range = new RangeHeaderValue(100, 199) }, TestContext.Current.CancellationToken);

        Assert.Equal(_data, viaJsonApi);
        Assert.Equal(_data[100..200], ranged.ToArray());
    }

    private Task<HttpResponseMessage> GetAsync(string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _url);
        request.Headers.TryAddWithoutValidation("Range", range);
        return _gcs.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
