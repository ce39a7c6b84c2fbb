using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google;
using Google.Cloud.Storage.V1;

namespace CoffeeMesh.Tests.GcsEmulator;

/// <summary>Single-request uploads and their preconditions (CoffeeMesh.GcsEmulator.Api.UploadEndpoints).</summary>
public sealed class UploadEndpointsTests : IAsyncLifetime
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
    public async Task A_media_upload_stores_the_bytes_with_computed_md5_and_crc32c()
    {
        var data = Encoding.UTF8.GetBytes("date,time,amount\n2024-01-01,08:00,3.50\n");
        var response = await MediaAsync("sales/a.csv", data);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var o = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(Checksums.Md5(data), o.GetProperty("md5Hash").GetString());
        Assert.Equal(Checksums.Crc32c(data), o.GetProperty("crc32c").GetString());
        Assert.Equal(data.Length.ToString(), o.GetProperty("size").GetString());
        Assert.Equal("1", o.GetProperty("metageneration").GetString());
        Assert.Equal(JsonValueKind.String, o.GetProperty("generation").ValueKind);
    }

    [Fact]
    public async Task A_multipart_upload_takes_name_and_metadata_from_its_json_part()
    {
        var data = Encoding.UTF8.GetBytes("hello multipart");
        var response = await MultipartAsync("{\"name\":\"m/one.txt\",\"contentType\":\"text/plain\",\"metadata\":{\"batch\":\"7\"}}", data);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var o = await _gcs.Client.GetObjectAsync(_bucket, "m/one.txt", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("text/plain", o.ContentType);
        Assert.Equal("7", o.Metadata["batch"]);
        Assert.Equal(Checksums.Md5(data), o.Md5Hash);
    }

    [Fact]
    public async Task A_declared_md5_that_does_not_match_gives_400_and_stores_nothing()
    {
        var data = Encoding.UTF8.GetBytes("the real bytes");
        var wrongMd5 = Checksums.Md5(Encoding.UTF8.GetBytes("other bytes"));

        var multipart = await MultipartAsync($"{{\"name\":\"bad.txt\",\"md5Hash\":\"{wrongMd5}\"}}", data);
        var media = await MediaAsync("bad.txt", data, hash: $"md5={wrongMd5}");

        Assert.Equal(HttpStatusCode.BadRequest, multipart.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, media.StatusCode);
        var error = JsonDocument.Parse(await media.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("error");
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        var missing = await _gcs.Http.GetAsync($"/storage/v1/b/{_bucket}/o/bad.txt", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_gcs.DataDirectory, "buckets", _bucket), "*.data", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Two_concurrent_create_only_writes_give_one_200_and_one_412()
    {
        for (var round = 0; round < 5; round++)
        {
            var name = $"race/{round}.txt";
            var responses = await Task.WhenAll(
                MediaAsync(name, Encoding.UTF8.GetBytes("writer A"), query: "&ifGenerationMatch=0"),
                MediaAsync(name, Encoding.UTF8.GetBytes("writer B"), query: "&ifGenerationMatch=0"));

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.PreconditionFailed], responses.Select(r => r.StatusCode).Order());
            var loser = JsonDocument.Parse(await responses.Single(r => r.StatusCode != HttpStatusCode.OK).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal("conditionNotMet", loser.RootElement.GetProperty("error").GetProperty("errors")[0].GetProperty("reason").GetString());
        }
    }

    [Fact]
    public async Task Official_client_create_only_upload_of_an_existing_object_fails_with_412()
    {
        var options = new UploadObjectOptions { IfGenerationMatch = 0 };
        await _gcs.Client.UploadObjectAsync(_bucket, "once.txt", "text/plain", new MemoryStream("first"u8.ToArray()), options, TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<GoogleApiException>(() =>
            _gcs.Client.UploadObjectAsync(_bucket, "once.txt", "text/plain", new MemoryStream("second"u8.ToArray()), options, TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.PreconditionFailed, e.HttpStatusCode);
        var kept = new MemoryStream();
        await _gcs.Client.DownloadObjectAsync(_bucket, "once.txt", kept, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("first", Encoding.UTF8.GetString(kept.ToArray()));
    }

    [Fact]
    public async Task An_upload_conditioned_on_a_stale_generation_fails_and_one_on_the_current_generation_succeeds()
    {
        var first = await _gcs.Client.UploadObjectAsync(_bucket, "g.txt", "text/plain", new MemoryStream("1"u8.ToArray()), cancellationToken: TestContext.Current.CancellationToken);
        var second = await _gcs.Client.UploadObjectAsync(_bucket, "g.txt", "text/plain", new MemoryStream("2"u8.ToArray()),
            new UploadObjectOptions { IfGenerationMatch = first.Generation }, TestContext.Current.CancellationToken);
        Assert.True(second.Generation > first.Generation);

        var stale = await MediaAsync("g.txt", "3"u8.ToArray(), query: $"&ifGenerationMatch={first.Generation}");
        var notMatch = await MediaAsync("g.txt", "3"u8.ToArray(), query: $"&ifGenerationNotMatch={second.Generation}");
        var metaMatch = await MediaAsync("g.txt", "3"u8.ToArray(), query: "&ifMetagenerationMatch=1");

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, notMatch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metaMatch.StatusCode);
    }

    private Task<HttpResponseMessage> MediaAsync(string name, byte[] data, string query = "", string? hash = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/upload/storage/v1/b/{_bucket}/o?uploadType=media&name={Uri.EscapeDataString(name)}{query}")
        {
            Content = new ByteArrayContent(data),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        if (hash is not null) request.Headers.Add("x-goog-hash", hash);
        return _gcs.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private Task<HttpResponseMessage> MultipartAsync(string metadataJson, byte[] data)
    {
        var content = new MultipartContent("related", "boundary-42");
        content.Add(new StringContent(metadataJson, Encoding.UTF8, "application/json"));
        var media = new ByteArrayContent(data);
        media.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(media);
        return _gcs.Http.PostAsync($"/upload/storage/v1/b/{_bucket}/o?uploadType=multipart", content, TestContext.Current.CancellationToken);
    }
}
