using CoffeeMesh.Contracts;

namespace CoffeeMesh.Ingest;

/// <summary>Bound from configuration section <c>Ingest</c>.</summary>
public sealed class IngestOptions
{
    /// <summary>Files are ingested only from under this folder (uploads land in its <c>uploads/</c>).</summary>
    public string LandingFolder { get; set; } = "landing";
    public int BatchSize { get; set; } = 10_000;
    /// <summary>The bucket cloud-publisher writes processed objects to (CloudPublisher:Bucket): the one reconciliation reloads days from.</summary>
    public string Bucket { get; set; } = "coffee-sales-data";
    /// <summary>
    /// Largest batch the mesh takes with its heap limits: 20,000-row batches ran transform out of its
    /// 180 MB heap (OutOfMemoryException, batches in the error queue), 10,000 did not.
    /// </summary>
    public const int MaxBatchSize = 10_000;
    /// <summary>
    /// How many batches of one ingestion may be published and not yet stored by oltp-writer before
    /// reading pauses (0: never pause). 20 batches of 10,000 rows keep the writer busy while it
    /// would otherwise wait on transform; see ReadAhead.
    /// </summary>
    public int MaxBatchesAhead { get; set; } = 20;
    public const int MaxMaxBatchesAhead = 10_000;
    /// <summary>Cron schedule of the landing-folder scan (the old Airflow DAG ran every 5 minutes).</summary>
    public string Schedule { get; set; } = "*/5 * * * *";
    public bool ScheduleEnabled { get; set; } = true;
    /// <summary>
    /// Files created, written or renamed in <c>incoming/</c> are scanned as they arrive (file-system
    /// events), besides the schedule; false leaves only the schedule and POST /landing/scan.
    /// </summary>
    public bool WatchIncoming { get; set; } = true;
    /// <summary>
    /// A file in <c>incoming/</c> whose last line has no line break is taken whole once it has not
    /// changed for this long (seconds): a writer may still be appending to it before that.
    /// </summary>
    public int SettleSeconds { get; set; } = 30;
    /// <summary>An ingestion not done that has made no progress for this long (seconds) is reported as stalled.</summary>
    public int StallAfterSeconds { get; set; } = 120;
    /// <summary>
    /// An ingestion read to the end that has heard nothing from the stages for this long (seconds)
    /// asks the stores to count it (LedgerRecount): a lost event must not leave it waiting.
    /// </summary>
    public int RecountAfterSeconds { get; set; } = 10;
    /// <summary>Largest file accepted by POST /ingestions/upload (bytes; 413 beyond it).</summary>
    public long MaxUploadBytes { get; set; } = 1L << 30;
    /// <summary>A line longer than this is quarantined (line_too_long) with its first KiB kept.</summary>
    public int MaxLineBytes { get; set; } = 64 * 1024;
    /// <summary>A record longer than this fails the ingestion (the reader will not buffer more).</summary>
    public int MaxRecordBytes { get; set; } = 8 * 1024 * 1024;
    /// <summary>
    /// The most lines a quoted field may join into one record (RFC 4180 line breaks in quotes); a
    /// quote still open after them is a stray one: its line is quarantined (unbalanced_quote).
    /// </summary>
    public int MaxLinesPerRecord { get; set; } = 10;
    /// <summary>
    /// How a/b/year dates are read when a file's rows cannot tell: bound from <c>Cleaning:DateOrder</c>,
    /// the cleaning rules' setting, so that ingest and transform agree.
    /// </summary>
    public DateOrder DefaultDateOrder { get; set; } = DateOrder.MonthFirst;
}
