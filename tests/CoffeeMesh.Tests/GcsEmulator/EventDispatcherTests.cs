using System.Collections.Concurrent;
using System.Text.Json;
using CoffeeMesh.GcsEmulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CoffeeMesh.Tests.GcsEmulator;

/// <summary>Finalize CloudEvents pushed to subscribers (CoffeeMesh.GcsEmulator.Notifications.EventDispatcher).</summary>
public sealed class EventDispatcherTests
{
    [Fact]
    public async Task A_finalized_object_reaches_the_subscriber_as_a_binary_mode_cloud_event_retried_after_a_500()
    {
        await using var subscriber = await Subscriber.StartAsync(failFirst: 1);
        await using var gcs = await EmulatorHost.StartAsync(o => Subscribe(o, subscriber.Url, retryForSeconds: 600));
        var bucket = await gcs.NewBucketAsync();

        var o = await gcs.Client.UploadObjectAsync(bucket, "processed/date=2024-01-01/x.csv", "text/csv", new MemoryStream("a,b\n"u8.ToArray()),
            cancellationToken: TestContext.Current.CancellationToken);
        var received = await subscriber.WaitForAsync(2);

        Assert.Equal(500, received[0].Answer);
        Assert.Equal(200, received[1].Answer);
        var h = received[1].Headers;
        Assert.Equal("1.0", h["ce-specversion"]);
        Assert.Equal("google.cloud.storage.object.v1.finalized", h["ce-type"]);
        Assert.Equal($"//storage.googleapis.com/projects/_/buckets/{bucket}", h["ce-source"]);
        Assert.Equal("objects/processed/date=2024-01-01/x.csv", h["ce-subject"]);
        Assert.Equal(bucket, h["ce-bucket"]);
        Assert.StartsWith("application/json", h["Content-Type"]);
        Assert.False(string.IsNullOrEmpty(h["ce-time"]));
        Assert.Equal(received[0].Headers["ce-id"], h["ce-id"]);
        var body = JsonDocument.Parse(received[1].Body).RootElement;
        Assert.Equal("processed/date=2024-01-01/x.csv", body.GetProperty("name").GetString());
        Assert.Equal(o.Generation.ToString(), body.GetProperty("generation").GetString());
        Assert.Equal("4", body.GetProperty("size").GetString());
        Assert.Equal("1", body.GetProperty("metageneration").GetString());
        Assert.Equal(o.Crc32c, body.GetProperty("crc32c").GetString());
    }

    [Fact]
    public async Task Each_finalized_generation_is_one_event_and_a_metadata_patch_is_none()
    {
        await using var subscriber = await Subscriber.StartAsync(failFirst: 0);
        await using var gcs = await EmulatorHost.StartAsync(o => Subscribe(o, subscriber.Url, retryForSeconds: 600));
        var bucket = await gcs.NewBucketAsync();

        var first = await gcs.Client.UploadObjectAsync(bucket, "n.txt", "text/plain", new MemoryStream("1"u8.ToArray()), cancellationToken: TestContext.Current.CancellationToken);
        await gcs.Client.PatchObjectAsync(new Google.Apis.Storage.v1.Data.Object { Bucket = bucket, Name = "n.txt", ContentType = "text/csv" },
            cancellationToken: TestContext.Current.CancellationToken);
        var second = await gcs.Client.UploadObjectAsync(bucket, "n.txt", "text/plain", new MemoryStream("2"u8.ToArray()), cancellationToken: TestContext.Current.CancellationToken);
        await gcs.Client.UploadObjectAsync(bucket, "marker.txt", "text/plain", new MemoryStream("m"u8.ToArray()), cancellationToken: TestContext.Current.CancellationToken);
        var received = await subscriber.WaitForAsync(3);

        var ids = received.Select(r => r.Headers["ce-id"]).ToHashSet();
        Assert.Equal(3, ids.Count);
        Assert.Contains($"{bucket}/n.txt/{first.Generation}", ids);
        Assert.Contains($"{bucket}/n.txt/{second.Generation}", ids);
    }

    [Fact]
    public async Task An_event_never_accepted_goes_to_the_dead_letter_folder_when_retries_run_out()
    {
        await using var subscriber = await Subscriber.StartAsync(failFirst: int.MaxValue);
        await using var gcs = await EmulatorHost.StartAsync(o => Subscribe(o, subscriber.Url, retryForSeconds: 0.5));
        var bucket = await gcs.NewBucketAsync();

        await gcs.Client.UploadObjectAsync(bucket, "dead.txt", "text/plain", new MemoryStream("d"u8.ToArray()), cancellationToken: TestContext.Current.CancellationToken);
        var deadLetters = Path.Combine(gcs.DataDirectory, "events", "dead-letter");
        await Eventually(() => Directory.Exists(deadLetters) && Directory.EnumerateFiles(deadLetters, "*.json").Any());

        var letter = JsonDocument.Parse(await File.ReadAllTextAsync(Directory.EnumerateFiles(deadLetters, "*.json").Single(), TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal("HTTP 500", letter.GetProperty("lastError").GetString());
        Assert.True(letter.GetProperty("attempts").GetInt32() >= 2);
        Assert.True(subscriber.Received.Count >= 2);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(gcs.DataDirectory, "events", "pending"), "*.json"));
    }

    private static void Subscribe(EmulatorOptions o, string url, double retryForSeconds)
    {
        o.Notifications.Subscribers.Add(new SubscriberOptions { Name = "test", Url = url });
        o.Notifications.InitialBackoffMilliseconds = 50;
        o.Notifications.MaxBackoffSeconds = 0.2;
        o.Notifications.RetryForSeconds = retryForSeconds;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++) await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.True(condition(), "the condition did not come true within 30 s");
    }

    /// <summary>A receiving endpoint like a Cloud Run service: answers 500 to the first N requests, then 200.</summary>
    private sealed class Subscriber : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _failuresLeft;

        private Subscriber(int failFirst)
        {
            _failuresLeft = failFirst;
            var builder = WebApplication.CreateBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            _app = builder.Build();
            _app.MapPost("/events", async (HttpContext context) =>
            {
                var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
                var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                var answer = Interlocked.Decrement(ref _failuresLeft) >= 0 ? 500 : 200;
                Received.Enqueue(new Delivery(headers, body, answer));
                return Results.StatusCode(answer);
            });
        }

        public ConcurrentQueue<Delivery> Received { get; } = new();
        public string Url => _app.Urls.First() + "/events";

        public static async Task<Subscriber> StartAsync(int failFirst)
        {
            var s = new Subscriber(failFirst);
            await s._app.StartAsync();
            return s;
        }

        public async Task<List<Delivery>> WaitForAsync(int count)
        {
            await Eventually(() => Received.Count >= count);
            return Received.ToList();
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    private sealed record Delivery(Dictionary<string, string> Headers, string Body, int Answer);
}
