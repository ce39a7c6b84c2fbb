using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Cloud.Storage.V1;

namespace CoffeeMesh.Tests.GcsEmulator;

/// <summary>Resumable uploads (CoffeeMesh.GcsEmulator.Api.ResumableUploads), through the official client and raw HTTP.</summary>
public sealed class ResumableUploadsTests : IAsyncLifetime
{
    private const int Quantum = 256 * 1024;
    private EmulatorHost _gcs = null!;
    private string _bucket = "";

    public async ValueTask InitializeAsync()
    {
        _gcs = await EmulatorHost.StartAsync();
        _bucket = await _gcs.NewBucketAsync();
    }

    public ValueTask DisposeAsync() => _gcs.DisposeAsync();

    [Fact]
    public async Task Official_client_uploads_15_MB_in_chunks_and_downloads_it_byte_identical_with_matching_hashes()
    {
        var data = Checksums.RandomBytes(15 * 1024 * 1024, seed: 15);
        var uploaded = await _gcs.Client.UploadObjectAsync(_bucket, "big/fifteen.bin", "application/octet-stream", new MemoryStream(data),
            new UploadObjectOptions { ChunkSize = 2 * 1024 * 1024 }, TestContext.Current.CancellationToken);

        Assert.Equal((ulong)data.Length, uploaded.Size);
        Assert.Equal(Checksums.Md5(data), uploaded.Md5Hash);
        Assert.Equal(Checksums.Crc32c(data), uploaded.Crc32c);
        var downloaded = new MemoryStream();
        await _gcs.Client.DownloadObjectAsync(_bucket, "big/fifteen.bin", downloaded, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(data.AsSpan().SequenceEqual(downloaded.ToArray()));
    }

    [Fact]
    public async Task Chunks_answer_308_with_the_persisted_range_and_a_resent_or_overlapping_chunk_is_not_stored_twice()
    {
        var data = Checksums.RandomBytes(3 * Quantum + 1000, seed: 3);
        var session = await StartSessionAsync("chunks.bin");

        var first = await PutAsync(session, data, 0, Quantum - 1, "*");
        AssertIncomplete(first, Quantum);
        var resent = await PutAsync(session, data, 0, Quantum - 1, "*");
        AssertIncomplete(resent, Quantum);
        var overlapping = await PutAsync(session, data, Quantum / 2, 2 * Quantum - 1, "*");
        AssertIncomplete(overlapping, 2 * Quantum);
        var last = await PutAsync(session, data, 2 * Quantum, data.Length - 1, data.Length.ToString());

        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        var stored = await _gcs.Http.GetByteArrayAsync($"/download/storage/v1/b/{_bucket}/o/chunks.bin?alt=media", TestContext.Current.CancellationToken);
        Assert.True(data.AsSpan().SequenceEqual(stored));
    }

    [Fact]
    public async Task A_status_query_reports_the_last_persisted_byte_and_never_finalizes()
    {
        var data = Checksums.RandomBytes(2 * Quantum, seed: 4);
        var session = await StartSessionAsync("status.bin");

        var fresh = await StatusAsync(session, "bytes */*");
        Assert.Equal((HttpStatusCode)308, fresh.StatusCode);
        Assert.False(fresh.Headers.Contains("Range"), "no Range header while nothing is persisted");

        await PutAsync(session, data, 0, Quantum - 1, "*");
        AssertIncomplete(await StatusAsync(session, "bytes */*"), Quantum);
        // Announcing a larger total is a status query too: nothing is finalized with bytes missing.
        AssertIncomplete(await StatusAsync(session, $"bytes */{data.Length}"), Quantum);
        var missing = await _gcs.Http.GetAsync($"/storage/v1/b/{_bucket}/o/status.bin", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // The total is known now, so the chunk that reaches it finalizes.
        var last = await PutAsync(session, data, Quantum, data.Length - 1, "*");
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        var again = await StatusAsync(session, "bytes */*");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(data.Length.ToString(), (await ReadJsonAsync(again)).GetProperty("size").GetString());
    }

    [Fact]
    public async Task An_upload_of_unknown_size_is_finalized_by_bytes_star_slash_the_persisted_count()
    {
        var data = Checksums.RandomBytes(Quantum, seed: 9);
        var session = await StartSessionAsync("streamed.bin");
        AssertIncomplete(await PutAsync(session, data, 0, Quantum - 1, "*"), Quantum);

        var tooSmall = await StatusAsync(session, $"bytes */{Quantum - 1}");
        var finalized = await StatusAsync(session, $"bytes */{Quantum}");

        Assert.Equal(HttpStatusCode.BadRequest, tooSmall.StatusCode);
        Assert.Equal(HttpStatusCode.OK, finalized.StatusCode);
        Assert.Equal(Checksums.Crc32c(data), (await ReadJsonAsync(finalized)).GetProperty("crc32c").GetString());
    }

    [Fact]
    public async Task A_chunk_that_starts_past_the_persisted_bytes_is_refused()
    {
        var data = Checksums.RandomBytes(2 * Quantum, seed: 5);
        var session = await StartSessionAsync("gap.bin");
        var gap = await PutAsync(session, data, Quantum, 2 * Quantum - 1, "*");
        Assert.Equal(HttpStatusCode.BadRequest, gap.StatusCode);
        AssertIncomplete(await PutAsync(session, data, 0, Quantum - 1, "*"), Quantum);
    }

    [Fact]
    public async Task An_empty_object_is_uploaded_with_bytes_star_slash_zero()
    {
        var session = await StartSessionAsync("empty.txt");
        var response = await StatusAsync(session, "bytes */0");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var o = await _gcs.Client.GetObjectAsync(_bucket, "empty.txt", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0ul, o.Size);
        Assert.Equal(Checksums.Crc32c([]), o.Crc32c);
        Assert.Equal(Checksums.Md5([]), o.Md5Hash);
    }

    [Fact]
    public async Task Cancelling_answers_499_and_the_session_is_gone()
    {
        var data = Checksums.RandomBytes(Quantum, seed: 6);
        var session = await StartSessionAsync("cancelled.bin");
        await PutAsync(session, data, 0, Quantum / 2 - 1, "*");

        var cancel = await _gcs.Http.DeleteAsync(session, TestContext.Current.CancellationToken);
        Assert.Equal(499, (int)cancel.StatusCode);
        var after = await PutAsync(session, data, Quantum / 2, Quantum - 1, Quantum.ToString());
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        var missing = await _gcs.Http.GetAsync($"/storage/v1/b/{_bucket}/o/cancelled.bin", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_session_location_is_absolute_on_the_host_and_port_the_client_used()
    {
        var port = new Uri(_gcs.BaseUrl).Port;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/upload/storage/v1/b/{_bucket}/o?uploadType=resumable&name=where.txt");
        request.Headers.Host = $"gcs.example.test:{port}";
        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        var response = await _gcs.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.True(location.IsAbsoluteUri);
        Assert.Equal($"gcs.example.test:{port}", location.Authority);
        Assert.StartsWith("/upload/storage/v1/b/", location.AbsolutePath);
    }

    [Fact]
    public async Task A_final_chunk_whose_declared_crc32c_does_not_match_gives_400_and_stores_nothing()
    {
        var data = Checksums.RandomBytes(Quantum + 10, seed: 7);
        var session = await StartSessionAsync("mismatch.bin");
        await PutAsync(session, data, 0, Quantum - 1, "*");
        var wrong = Checksums.Crc32c(Encoding.UTF8.GetBytes("something else"));

        var last = await PutAsync(session, data, Quantum, data.Length - 1, data.Length.ToString(), $"crc32c={wrong}");

        Assert.Equal(HttpStatusCode.BadRequest, last.StatusCode);
        Assert.Equal("invalid", (await ReadJsonAsync(last)).GetProperty("error").GetProperty("errors")[0].GetProperty("reason").GetString());
        var missing = await _gcs.Http.GetAsync($"/storage/v1/b/{_bucket}/o/mismatch.bin", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_session_survives_a_restart_of_the_emulator()
    {
        var data = Checksums.RandomBytes(2 * Quantum, seed: 8);
        var session = await StartSessionAsync("restart.bin");
        await PutAsync(session, data, 0, Quantum - 1, "*");
        var oldBase = _gcs.BaseUrl;

        await _gcs.RestartAsync();
        session = session.Replace(oldBase, _gcs.BaseUrl);

        AssertIncomplete(await StatusAsync(session, "bytes */*"), Quantum);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(session, data, Quantum, data.Length - 1, data.Length.ToString())).StatusCode);
    }

    private async Task<string> StartSessionAsync(string name)
    {
        var response = await _gcs.Http.PostAsync($"/upload/storage/v1/b/{_bucket}/o?uploadType=resumable&name={Uri.EscapeDataString(name)}",
            new StringContent("{\"contentType\":\"application/octet-stream\"}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    private Task<HttpResponseMessage> PutAsync(string session, byte[] data, int first, int last, string total, string? hash = null)
    {
        var content = new ByteArrayContent(data, first, last - first + 1);
        content.Headers.ContentRange = ContentRangeHeaderValue.Parse($"bytes {first}-{last}/{total}");
        var request = new HttpRequestMessage(HttpMethod.Put, session) { Content = content };
        if (hash is not null) request.Headers.Add("x-goog-hash", hash);
        return _gcs.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private Task<HttpResponseMessage> StatusAsync(string session, string contentRange)
    {
        var content = new ByteArrayContent([]);
        content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        return _gcs.Http.SendAsync(new HttpRequestMessage(HttpMethod.Put, session) { Content = content }, TestContext.Current.CancellationToken);
    }

    private static void AssertIncomplete(HttpResponseMessage response, long persisted)
    {
        Assert.Equal(308, (int)response.StatusCode);
        Assert.Equal($"bytes=0-{persisted - 1}", string.Join(",", response.Headers.GetValues("Range")));
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
