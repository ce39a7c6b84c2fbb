using CoffeeMesh.GcsEmulator.Api;
using CoffeeMesh.GcsEmulator.Notifications;
using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator;

/// <summary>Builds the emulator: its options, store, upload sessions, notification dispatcher and routes.</summary>
public static class GcsEmulatorApp
{
    /// <summary>
    /// A ready-to-run app. Settings come from the <c>GcsEmulator</c> configuration section, then
    /// <paramref name="configure"/> (tests set a temp data folder and <c>Url = "http://127.0.0.1:0"</c>).
    /// </summary>
    /// <exception cref="ArgumentException">An invalid setting.</exception>
    public static WebApplication Create(string[] args, Action<EmulatorOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var options = builder.Configuration.GetSection("GcsEmulator").Get<EmulatorOptions>() ?? new EmulatorOptions();
        configure?.Invoke(options);
        options.Validate();
        if (options.Url is not null) builder.WebHost.UseUrls(options.Url);
        else if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
            builder.WebHost.UseUrls("http://127.0.0.1:4443");
        // Uploads are bounded by MaxObjectBytes in the handlers; a JSON body by MaxJsonBytes.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxObjectBytes + (1 << 20));

        // The official clients gzip JSON request bodies (Content-Encoding: gzip), which GCS accepts.
        builder.Services.AddRequestDecompression();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new StoreLayout(options.DataDirectory));
        builder.Services.AddHttpContextAccessor(); // the uploader's trace context goes with the finalize event
        builder.Services.AddSingleton<EventOutbox>();
        builder.Services.AddSingleton<IObjectFinalizedListener>(sp => sp.GetRequiredService<EventOutbox>());
        builder.Services.AddSingleton<ObjectStore>();
        builder.Services.AddSingleton<UploadSessions>();
        builder.Services.AddHostedService<EventDispatcher>();

        var app = builder.Build();
        app.Services.GetRequiredService<ObjectStore>(); // load (and repair) the data folder before serving
        app.UseRequestDecompression();
        Routes.Map(app);
        return app;
    }
}
