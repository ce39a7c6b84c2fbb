namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>
/// The BigQuery warehouse's settings (configuration section <c>Warehouse:BigQuery</c>). Project, dataset and
/// location are the only identifiers that reach SQL text (values travel as query parameters), so
/// <see cref="Validate"/> holds them to BigQuery's naming rules.
/// </summary>
public sealed class BigQueryOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string Section = "Warehouse:BigQuery";

    /// <summary>The project that holds the dataset and runs the jobs (6-30 characters: lower-case letters, digits, '-').</summary>
    public string ProjectId { get; set; } = "";

    /// <summary>The dataset of the star schema; created when missing (letters, digits, '_', at most 1,024).</summary>
    public string DatasetId { get; set; } = "coffee_sales";

    /// <summary>Where the dataset lives and the jobs run (e.g. US, EU, europe-west1); sent with every job request.</summary>
    public string Location { get; set; } = "US";

    /// <summary>The API's root; a local stand-in's URL in tests. Requests go to {Endpoint}bigquery/v2/...</summary>
    public string Endpoint { get; set; } = "https://bigquery.googleapis.com/";

    /// <summary>
    /// Whether requests carry Application Default Credentials. Null (the default): only when
    /// <see cref="Endpoint"/> is on googleapis.com, so a local stand-in is called without credentials.
    /// </summary>
    public bool? UseCredentials { get; set; }

    /// <summary>How long to wait between two jobs.get calls while a job runs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one call waits for a job to finish before giving up (the job goes on; a later call adopts it).</summary>
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>One HTTP request's timeout.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of one request after a 5xx, a 429, a rate-limit 403 or a dropped connection (same body, so the same job id).</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first retry's delay; later ones back off exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Jobs one load may start that then fail for a reason other than invalid input (each retry of a failed job
    /// needs a new job id: a job id names one job forever). Jobs found failed from earlier calls are not counted.
    /// </summary>
    public int MaxJobAttempts { get; set; } = 3;

    /// <summary>When a per-object staging table expires if the loader does not drop it (a crash between load and merge).</summary>
    public TimeSpan StagingExpiration { get; set; } = TimeSpan.FromDays(1);

    /// <summary>True when requests carry credentials (see <see cref="UseCredentials"/>).</summary>
    public bool CredentialsNeeded =>
        UseCredentials ?? (Uri.TryCreate(Endpoint, UriKind.Absolute, out var u) && (u.Host == "googleapis.com" || u.Host.EndsWith(".googleapis.com", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        // Project ids: 6-30 characters, lower-case letters, digits and hyphens, starting with a letter, not ending with a hyphen.
        // (Domain-scoped projects, "example.com:name", are not accepted: they would need quoting rules of their own.)
        if (ProjectId.Length is < 6 or > 30 || !char.IsAsciiLetterLower(ProjectId[0]) || ProjectId.EndsWith('-')
            || !ProjectId.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            throw new ArgumentException($"{Section}:ProjectId '{ProjectId}' is not a project id (6-30 lower-case letters, digits, '-', starting with a letter)");
        if (DatasetId.Length is < 1 or > 1024 || !DatasetId.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new ArgumentException($"{Section}:DatasetId '{DatasetId}' is not a dataset id (letters, digits, '_', at most 1,024)");
        if (Location.Length is < 2 or > 64 || !Location.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw new ArgumentException($"{Section}:Location '{Location}' is not a location (e.g. US, EU, europe-west1)");
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https") || !Endpoint.EndsWith('/'))
            throw new ArgumentException($"{Section}:Endpoint must be an absolute http(s) URL ending in '/', like https://bigquery.googleapis.com/, not '{Endpoint}'");
        if (PollInterval <= TimeSpan.Zero || JobTimeout <= TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero || RetryDelay < TimeSpan.Zero)
            throw new ArgumentException($"{Section}: PollInterval, JobTimeout and RequestTimeout must be positive, RetryDelay not negative");
        if (MaxRetries is < 0 or > 20 || MaxJobAttempts is < 1 or > 20)
            throw new ArgumentException($"{Section}: MaxRetries must be 0-20 and MaxJobAttempts 1-20");
        if (StagingExpiration < TimeSpan.FromMinutes(10))
            throw new ArgumentException($"{Section}:StagingExpiration must be at least 10 minutes (a staging table must outlive its merge)");
    }
}
