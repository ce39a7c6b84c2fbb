namespace CoffeeMesh.GcsEmulator;

/// <summary>The emulator's settings (configuration section <c>GcsEmulator</c>).</summary>
public sealed class EmulatorOptions
{
    /// <summary>Address to listen on. Default: ASPNETCORE_URLS when set, else http://127.0.0.1:4443.</summary>
    public string? Url { get; set; }

    /// <summary>Folder holding buckets, objects, upload sessions and pending notifications.</summary>
    public string DataDirectory { get; set; } = "gcs-data";

    /// <summary>Largest object (and request body) accepted, bytes. Default 1 GiB.</summary>
    public long MaxObjectBytes { get; set; } = 1L << 30;

    /// <summary>Largest JSON request body (resource metadata), bytes. Default 1 MiB.</summary>
    public long MaxJsonBytes { get; set; } = 1 << 20;

    /// <summary>Where object-finalize CloudEvents go.</summary>
    public NotificationOptions Notifications { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Url is not null && !Uri.TryCreate(Url, UriKind.Absolute, out _)) throw new ArgumentException($"GcsEmulator:Url is not an absolute URL: '{Url}'");
        if (string.IsNullOrWhiteSpace(DataDirectory)) throw new ArgumentException("GcsEmulator:DataDirectory is required");
        if (MaxObjectBytes <= 0 || MaxJsonBytes <= 0) throw new ArgumentException("GcsEmulator:MaxObjectBytes and MaxJsonBytes must be positive");
        Notifications.Validate();
    }
}

/// <summary>Subscribers of object-finalize events and how long delivery is retried.</summary>
public sealed class NotificationOptions
{
    /// <summary>Endpoints that receive each finalize event (Eventarc-style CloudEvents in binary mode).</summary>
    public List<SubscriberOptions> Subscribers { get; set; } = new();

    /// <summary>How long an event is retried before it goes to the dead-letter folder, seconds. Default 24 h, like Eventarc.</summary>
    public double RetryForSeconds { get; set; } = 24 * 3600;

    /// <summary>First wait after a failed delivery, milliseconds; doubles up to <see cref="MaxBackoffSeconds"/>.</summary>
    public double InitialBackoffMilliseconds { get; set; } = 1000;

    /// <summary>Longest wait between two attempts, seconds.</summary>
    public double MaxBackoffSeconds { get; set; } = 60;

    /// <summary>Time allowed for one delivery attempt, seconds.</summary>
    public double AttemptTimeoutSeconds { get; set; } = 30;

    public void Validate()
    {
        foreach (var s in Subscribers)
        {
            if (string.IsNullOrWhiteSpace(s.Name)) throw new ArgumentException("GcsEmulator:Notifications:Subscribers: each needs a Name");
            if (!Uri.TryCreate(s.Url, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
                throw new ArgumentException($"GcsEmulator:Notifications:Subscribers '{s.Name}': Url must be an absolute http(s) URL");
        }
        if (RetryForSeconds < 0 || InitialBackoffMilliseconds <= 0 || MaxBackoffSeconds <= 0 || AttemptTimeoutSeconds <= 0)
            throw new ArgumentException("GcsEmulator:Notifications: retry times must be positive");
    }
}

/// <summary>One subscriber: a name (for logs and files), its URL, and optionally the only bucket it hears about.</summary>
public sealed class SubscriberOptions
{
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    /// <summary>When set, only this bucket's events (an Eventarc trigger's bucket filter).</summary>
    public string? Bucket { get; set; }
}
