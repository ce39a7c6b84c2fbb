using System.Net;
using System.Net.Http.Headers;
using CoffeeMesh.Ingest.Api;
using CoffeeMesh.Tests.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CoffeeMesh.Tests.Ingest;

/// <summary>
/// The upload's receiving end on a real Kestrel server: a file is written once, byte for byte, as
/// it arrives; past Ingest:MaxUploadBytes (here 64 KiB) or with bad dates the request is refused
/// and no file is left. The CLI's own upload is one of the clients.
/// </summary>
public sealed class UploadReceiverTests : IAsyncLifetime
{
    private const long Limit = 64 * 1024;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"coffeemesh-upload-{Guid.NewGuid():N}");
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        // The same receiver as ingest's /ingestions/upload, answering with what it wrote instead of starting an ingestion.
        _app.MapMethods("/ingestions/upload", [HttpMethods.Post, HttpMethods.Put], async (HttpContext http, CancellationToken ct) =>
        {
            var id = Guid.NewGuid();
            var (upload, refusal) = await UploadReceiver.ReceiveAsync(http.Request, name => Path.Combine(_folder, UploadEndpoint.FileName(id, name)), Limit, ct);
            return refusal is not null
                ? Results.Problem(detail: refusal.Detail, statusCode: refusal.StatusCode)
                : Results.Json(new { path = upload!.Path, from = upload.From, to = upload.To });
        });
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static byte[] Bytes(int length) => Enumerable.Range(0, length).Select(i => (byte)('a' + i % 26)).ToArray();

    /// <summary>A body whose length the server is not told in advance (chunked), so only counting while streaming can stop it.</summary>
    private sealed class UnannouncedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();
        protected override bool TryComputeLength(out long length) { length = -1; return false; }
    }

    [Fact]
    public async Task A_raw_body_is_written_byte_for_byte_under_the_id_and_the_name_sent()
    {
        var bytes = Bytes(50_000);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var response = await _http.PostAsync("/ingestions/upload?name=../March%20sales.csv&from=2025-03-01", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var file = Assert.Single(Directory.GetFiles(_folder));
        Assert.EndsWith("-March_sales.csv", file);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        Assert.Contains("\"from\":\"2025-03-01\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_refused_413_and_leaves_no_file()
    {
        var content = new UnannouncedContent(Bytes((int)Limit * 4));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        var response = await _http.PutAsync("/ingestions/upload?name=big.csv", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task A_multipart_upload_is_written_once_with_the_dates_sent_after_the_file()
    {
        var bytes = Bytes(40_000);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(bytes), "file", "april.csv" },
            { new StringContent("2025-04-01"), "from" },
            { new StringContent("2025-04-30"), "to" },
        };

        var response = await _http.PostAsync("/ingestions/upload", form, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var file = Assert.Single(Directory.GetFiles(_folder));
        Assert.EndsWith("-april.csv", file);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"from\":\"2025-04-01\"", body);
        Assert.Contains("\"to\":\"2025-04-30\"", body);
    }

    [Fact]
    public async Task A_multipart_upload_with_a_bad_date_is_refused_400_and_leaves_no_file()
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Bytes(10_000)), "file", "april.csv" },
            { new StringContent("30/04/2025"), "to" },
        };

        var response = await _http.PostAsync("/ingestions/upload", form, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task The_CLI_streams_its_upload_and_reports_413_with_exit_1_when_the_file_is_over_the_limit()
    {
        var file = Path.Combine(_folder, "..", $"coffeemesh-too-big-{Guid.NewGuid():N}.csv");
        await File.WriteAllBytesAsync(file, Bytes((int)Limit + 1), TestContext.Current.CancellationToken);
        try
        {
            var run = await CliRunner.RunAsync("ingest", file, "--url", _http.BaseAddress!.ToString(), "--landing", _folder);

            Assert.Equal(1, run.Exit);
            Assert.Contains("ingest refused the request (413)", run.Error);
            Assert.Empty(Directory.GetFiles(_folder));
        }
        finally { File.Delete(file); }
    }
}
