using CoffeeMesh.GcsEmulator;
using Google.Cloud.Storage.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CoffeeMesh.Tests.GcsEmulator;

/// <summary>
/// The emulator in this process on a free port with its own data folder, plus the official client and a raw
/// HttpClient pointed at it. <see cref="RestartAsync"/> stops it and starts it again on the same folder.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly Action<EmulatorOptions>? _configure;
    private WebApplication _app = null!;

    private EmulatorHost(string dataDirectory, Action<EmulatorOptions>? configure)
    {
        DataDirectory = dataDirectory;
        _configure = configure;
    }

    public string DataDirectory { get; }
    /// <summary>http://127.0.0.1:PORT</summary>
    public string BaseUrl { get; private set; } = "";
    public StorageClient Client { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public static async Task<EmulatorHost> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gcs-emulator-tests", Guid.NewGuid().ToString("N"));
        var host = new EmulatorHost(dir, configure);
        await host.StartAppAsync();
        return host;
    }

    /// <summary>Stops the emulator and starts a new one on the same data folder (and a new port).</summary>
    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    /// <summary>Creates a bucket through the official client and returns its name.</summary>
    public async Task<string> NewBucketAsync(bool versioning = false)
    {
        var name = "b-" + Guid.NewGuid().ToString("N")[..20];
        await Client.CreateBucketAsync("test-project", new Google.Apis.Storage.v1.Data.Bucket
        {
            Name = name,
            Versioning = new Google.Apis.Storage.v1.Data.Bucket.VersioningData { Enabled = versioning },
        });
        return name;
    }

    private async Task StartAppAsync()
    {
        _app = CoffeeMesh.GcsEmulator.GcsEmulatorApp.Create([], o =>
        {
            o.DataDirectory = DataDirectory;
            o.Url = "http://127.0.0.1:0";
            _configure?.Invoke(o);
        });
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        Client = new StorageClientBuilder { BaseUri = $"{BaseUrl}/storage/v1/", UnauthenticatedAccess = true }.Build();
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
    }

    private async Task StopAppAsync()
    {
        Http.Dispose();
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
