using System.Text.Json;
using System.Threading.Channels;
using CoffeeMesh.GcsEmulator.Api;
using CoffeeMesh.GcsEmulator.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CoffeeMesh.GcsEmulator.Notifications;

/// <summary>
/// Turns each committed generation into one pending delivery per interested subscriber, written to disk
/// before the upload is answered (so a restart still delivers it), and hands it to <see cref="EventDispatcher"/>.
/// </summary>
public sealed class EventOutbox(EmulatorOptions options, StoreLayout layout, IServer server, TimeProvider clock, IHttpContextAccessor http)
    : IObjectFinalizedListener
{
    private readonly Channel<PendingDelivery> _ready = Channel.CreateUnbounded<PendingDelivery>();

    /// <summary>Deliveries written since start (the dispatcher reads the folder once, then this).</summary>
    public ChannelReader<PendingDelivery> Ready => _ready.Reader;

    /// <inheritdoc />
    public Task OnFinalizedAsync(ObjectRecord finalized, CancellationToken cancel)
    {
        var subscribers = options.Notifications.Subscribers.Where(s => s.Bucket is null || s.Bucket == finalized.Bucket).ToList();
        if (subscribers.Count == 0) return Task.CompletedTask;
        var data = JsonSerializer.SerializeToElement(Resources.Object(finalized, PublicUrl()));
        var now = clock.GetUtcNow();
        var headers = http.HttpContext?.Request.Headers;
        string? traceParent = headers?["traceparent"], traceState = headers?["tracestate"];
        foreach (var s in subscribers)
        {
            var delivery = new PendingDelivery
            {
                Id = Guid.NewGuid().ToString("N"),
                Subscriber = s.Name,
                Url = s.Url,
                EventId = $"{finalized.Bucket}/{finalized.Name}/{finalized.Generation}",
                Bucket = finalized.Bucket,
                ObjectName = finalized.Name,
                Time = finalized.TimeCreated,
                Data = data,
                Created = now,
                NextAttempt = now,
                TraceParent = string.IsNullOrEmpty(traceParent) ? null : traceParent,
                TraceState = string.IsNullOrEmpty(traceState) ? null : traceState,
            };
            AtomicFile.WriteAllBytes(PendingFile(delivery.Id), StoreJson.Serialize(delivery));
            _ready.Writer.TryWrite(delivery);
        }
        return Task.CompletedTask;
    }

    /// <summary>Where a pending delivery is kept.</summary>
    public string PendingFile(string id) => Path.Combine(layout.PendingEvents, $"{id}.json");

    /// <summary>Where a delivery that ran out of retries is kept.</summary>
    public string DeadLetterFile(string id) => Path.Combine(layout.DeadLetters, $"{id}.json");

    // Links in event bodies point at this emulator, where a subscriber can fetch the object.
    private string PublicUrl()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? options.Url ?? "http://127.0.0.1:4443";
        return address.TrimEnd('/');
    }
}
