using System.Net;
using Google;

namespace CoffeeMesh.Tests.GcsEmulator;

/// <summary>Buckets (CoffeeMesh.GcsEmulator.Api.BucketEndpoints).</summary>
public sealed class BucketEndpointsTests : IAsyncLifetime
{
    private EmulatorHost _gcs = null!;

    public async ValueTask InitializeAsync() => _gcs = await EmulatorHost.StartAsync();

    public ValueTask DisposeAsync() => _gcs.DisposeAsync();

    [Fact]
    public async Task Creating_a_bucket_twice_gives_409_and_it_is_listed_once()
    {
        var name = await _gcs.NewBucketAsync();

        var again = await Assert.ThrowsAsync<GoogleApiException>(() => _gcs.Client.CreateBucketAsync("test-project", name, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Conflict, again.HttpStatusCode);
        Assert.Equal(name, (await _gcs.Client.GetBucketAsync(name, cancellationToken: TestContext.Current.CancellationToken)).Name);
        var listed = new List<string>();
        await foreach (var b in _gcs.Client.ListBucketsAsync("test-project")) listed.Add(b.Name);
        Assert.Equal([name], listed);
    }

    [Fact]
    public async Task A_bucket_is_deleted_only_when_empty()
    {
        var name = await _gcs.NewBucketAsync();
        await _gcs.Client.UploadObjectAsync(name, "x", "text/plain", new MemoryStream("x"u8.ToArray()), cancellationToken: TestContext.Current.CancellationToken);

        var notEmpty = await Assert.ThrowsAsync<GoogleApiException>(() => _gcs.Client.DeleteBucketAsync(name, cancellationToken: TestContext.Current.CancellationToken));
        await _gcs.Client.DeleteObjectAsync(name, "x", cancellationToken: TestContext.Current.CancellationToken);
        await _gcs.Client.DeleteBucketAsync(name, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, notEmpty.HttpStatusCode);
        var gone = await Assert.ThrowsAsync<GoogleApiException>(() => _gcs.Client.GetBucketAsync(name, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.NotFound, gone.HttpStatusCode);
    }
}
