namespace CoffeeMesh.Ingest.Scheduling;

/// <summary>
/// Watches <c>incoming/</c> (and its subfolders) for files created, written or renamed into place,
/// and tells <see cref="ScanDebounce"/>. Hidden and temporary names (see
/// <see cref="LandingFiles.IgnoredName"/>) are not worth a scan until they are renamed. When the
/// watcher lost events (its buffer overflowed) or failed, a scan is asked for all the same, since
/// the scan looks at every file, and a failed watcher is started again.
/// </summary>
public sealed class LandingWatcher : IDisposable
{
    private readonly string _folder;
    private readonly ScanDebounce _debounce;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private FileSystemWatcher? _watcher;
    private bool _disposed;

    /// <summary>Starts watching <paramref name="folder"/> at once. Throws IOException when the system refuses a watch (inotify limits).</summary>
    public LandingWatcher(string folder, ScanDebounce debounce, ILogger logger)
    {
        _folder = folder;
        _debounce = debounce;
        _logger = logger;
        Start();
    }

    private void Start()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _watcher?.Dispose();
            Directory.CreateDirectory(_folder);
            var watcher = new FileSystemWatcher(_folder)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                // The largest buffer allowed: a burst of many files loses fewer events (a loss costs only a full scan).
                InternalBufferSize = 64 * 1024,
            };
            watcher.Created += OnChanged;
            watcher.Changed += OnChanged;
            watcher.Renamed += (_, e) => { if (!LandingFiles.IgnoredName(e.FullPath)) _debounce.Notify(); };
            watcher.Error += OnError;
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
    }

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        if (!LandingFiles.IgnoredName(e.FullPath)) _debounce.Notify();
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        var error = e.GetException();
        if (error is InternalBufferOverflowException)
        {
            _logger.LogWarning("Landing watcher lost events (too many at once); scanning incoming/ whole");
            _debounce.Notify();
            return;
        }
        _logger.LogWarning(error, "Landing watcher failed; starting it again and scanning incoming/ whole");
        try
        {
            Start();
        }
        catch (Exception again) when (again is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _logger.LogWarning(again, "Landing watcher could not be started again; files are picked up by the scheduled scan only");
        }
        _debounce.Notify();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _watcher?.Dispose();
            _watcher = null;
        }
    }
}
