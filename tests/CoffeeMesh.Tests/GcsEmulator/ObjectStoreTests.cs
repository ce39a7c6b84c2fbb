using System.Net;
using System.Text;
using System.Text.Json;
using Google;
using Google.Cloud.Storage.V1;
using Object = Google.Apis.Storage.v1.Data.Object;

namespace CoffeeMesh.Tests.GcsEmulator;

/// <summary>Generations, metagenerations, preconditions, versioning and persistence (CoffeeMesh.GcsEmulator.Storage.ObjectStore).</summary>
public sealed class ObjectStoreTests : IAsyncLifetime
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
    public async Task A_metadata_patch_raises_the_metageneration_and_keeps_the_generation()
    {
        var created = await UploadAsync("p.txt", "data");
        var patched = await _gcs.Client.PatchObjectAsync(new Object { Bucket = _bucket, Name = "p.txt", Metadata = new Dictionary<string, string> { ["k"] = "v" } },
            new PatchObjectOptions { IfMetagenerationMatch = 1 }, TestContext.Current.CancellationToken);

        Assert.Equal(created.Generation, patched.Generation);
        Assert.Equal(2, patched.Metageneration);
        Assert.Equal("v", patched.Metadata["k"]);
        var stale = await Assert.ThrowsAsync<GoogleApiException>(() => _gcs.Client.PatchObjectAsync(
            new Object { Bucket = _bucket, Name = "p.txt", ContentType = "text/csv" }, new PatchObjectOptions { IfMetagenerationMatch = 1 }, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.HttpStatusCode);
    }

    [Fact]
    public async Task A_patch_sent_as_post_with_x_http_method_override_is_a_patch()
    {
        await UploadAsync("o.txt", "data");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/storage/v1/b/{_bucket}/o/o.txt?ifMetagenerationMatch=1")
        {
            Content = new StringContent("{\"contentType\":\"text/csv\",\"metadata\":{\"a\":\"1\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-HTTP-Method-Override", "PATCH");

        var response = await _gcs.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var o = await _gcs.Client.GetObjectAsync(_bucket, "o.txt", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("text/csv", o.ContentType);
        Assert.Equal("1", o.Metadata["a"]);
        Assert.Equal(2, o.Metageneration);
    }

    [Fact]
    public async Task Delete_honours_generation_preconditions()
    {
        var created = await UploadAsync("d.txt", "data");

        var stale = await Assert.ThrowsAsync<GoogleApiException>(() => _gcs.Client.DeleteObjectAsync(_bucket, "d.txt",
            new DeleteObjectOptions { IfGenerationMatch = created.Generation + 1 }, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.HttpStatusCode);
        var notMatch = await Assert.ThrowsAsync<GoogleApiException>(() => _gcs.Client.DeleteObjectAsync(_bucket, "d.txt",
            new DeleteObjectOptions { IfGenerationNotMatch = created.Generation }, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.PreconditionFailed, notMatch.HttpStatusCode);

        await _gcs.Client.DeleteObjectAsync(_bucket, "d.txt", new DeleteObjectOptions { IfGenerationMatch = created.Generation }, TestContext.Current.CancellationToken);
        var gone = await Assert.ThrowsAsync<GoogleApiException>(() => _gcs.Client.GetObjectAsync(_bucket, "d.txt", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.NotFound, gone.HttpStatusCode);
    }

    [Fact]
    public async Task Copy_honours_source_and_destination_preconditions()
    {
        var source = await UploadAsync("src.txt", "copy me");
        await UploadAsync("dst.txt", "old");

        var createOnly = await Assert.ThrowsAsync<GoogleApiException>(() => _gcs.Client.CopyObjectAsync(_bucket, "src.txt", _bucket, "dst.txt",
            new CopyObjectOptions { IfGenerationMatch = 0 }, TestContext.Current.CancellationToken));
        var staleSource = await Assert.ThrowsAsync<GoogleApiException>(() => _gcs.Client.CopyObjectAsync(_bucket, "src.txt", _bucket, "new.txt",
            new CopyObjectOptions { IfSourceGenerationMatch = source.Generation + 1 }, TestContext.Current.CancellationToken));
        var copied = await _gcs.Client.CopyObjectAsync(_bucket, "src.txt", _bucket, "new.txt",
            new CopyObjectOptions { IfGenerationMatch = 0, IfSourceGenerationMatch = source.Generation }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.PreconditionFailed, createOnly.HttpStatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleSource.HttpStatusCode);
        Assert.Equal(source.Md5Hash, copied.Md5Hash);
        Assert.Equal(source.Crc32c, copied.Crc32c);
        Assert.NotEqual(source.Generation, copied.Generation);
        Assert.Equal("copy me", await DownloadAsync("new.txt"));
    }

    [Fact]
    public async Task Compose_concatenates_and_gives_a_crc32c_but_no_md5()
    {
        await UploadAsync("part1", "hello ");
        await UploadAsync("part2", "world");
        var body = $"{{\"sourceObjects\":[{{\"name\":\"part1\"}},{{\"name\":\"part2\"}}],\"destination\":{{\"contentType\":\"text/plain\"}}}}";

        var response = await _gcs.Http.PostAsync($"/storage/v1/b/{_bucket}/o/whole/compose", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var o = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(Checksums.Crc32c("hello world"u8.ToArray()), o.GetProperty("crc32c").GetString());
        Assert.False(o.TryGetProperty("md5Hash", out _));
        Assert.Equal(2, o.GetProperty("componentCount").GetInt32());
        Assert.Equal("hello world", await DownloadAsync("whole"));
    }

    [Fact]
    public async Task Overwriting_keeps_noncurrent_generations_only_in_a_versioned_bucket()
    {
        var versioned = await _gcs.NewBucketAsync(versioning: true);
        var first = await UploadAsync("v.txt", "one", versioned);
        await UploadAsync("v.txt", "two", versioned);
        var plainFirst = await UploadAsync("v.txt", "one");
        await UploadAsync("v.txt", "two");

        var old = new MemoryStream();
        await _gcs.Client.DownloadObjectAsync(versioned, "v.txt", old, new DownloadObjectOptions { Generation = first.Generation }, TestContext.Current.CancellationToken);
        var gone = await Assert.ThrowsAsync<GoogleApiException>(() => _gcs.Client.DownloadObjectAsync(_bucket, "v.txt", new MemoryStream(),
            new DownloadObjectOptions { Generation = plainFirst.Generation }, TestContext.Current.CancellationToken));

        Assert.Equal("one", Encoding.UTF8.GetString(old.ToArray()));
        Assert.Equal(HttpStatusCode.NotFound, gone.HttpStatusCode);
    }

    [Fact]
    public async Task Objects_generations_and_metadata_survive_a_restart()
    {
        var versioned = await _gcs.NewBucketAsync(versioning: true);
        var first = await UploadAsync("keep.txt", "first", versioned);
        var second = await UploadAsync("keep.txt", "second", versioned);
        await _gcs.Client.PatchObjectAsync(new Object { Bucket = versioned, Name = "keep.txt", Metadata = new Dictionary<string, string> { ["x"] = "y" } },
            cancellationToken: TestContext.Current.CancellationToken);

        await _gcs.RestartAsync();

        var live = await _gcs.Client.GetObjectAsync(versioned, "keep.txt", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(second.Generation, live.Generation);
        Assert.Equal(2, live.Metageneration);
        Assert.Equal("y", live.Metadata["x"]);
        Assert.Equal("second", await DownloadAsync("keep.txt", versioned));
        var old = new MemoryStream();
        await _gcs.Client.DownloadObjectAsync(versioned, "keep.txt", old, new DownloadObjectOptions { Generation = first.Generation }, TestContext.Current.CancellationToken);
        Assert.Equal("first", Encoding.UTF8.GetString(old.ToArray()));
        var next = await UploadAsync("keep.txt", "third", versioned);
        Assert.True(next.Generation > second.Generation);
    }

    private Task<Object> UploadAsync(string name, string text, string? bucket = null) =>
        _gcs.Client.UploadObjectAsync(bucket ?? _bucket, name, "text/plain", new MemoryStream(Encoding.UTF8.GetBytes(text)), cancellationToken: TestContext.Current.CancellationToken);

    private async Task<string> DownloadAsync(string name, string? bucket = null)
    {
        var stream = new MemoryStream();
        await _gcs.Client.DownloadObjectAsync(bucket ?? _bucket, name, stream, cancellationToken: TestContext.Current.CancellationToken);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
