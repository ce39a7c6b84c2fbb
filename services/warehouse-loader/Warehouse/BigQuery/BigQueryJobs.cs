using System.Text.Json.Nodes;

namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>A job that reached state DONE: its resource, and <c>status.errorResult</c> when it failed.</summary>
internal sealed record FinishedJob(string JobId, JsonNode Resource, bool Adopted)
{
    /// <summary>Set exactly when the job failed; <c>status.errors</c> alone may be warnings.</summary>
    public JsonNode? ErrorResult => Resource["status"]?["errorResult"];

    public string? ErrorReason => ErrorResult?["reason"]?.GetValue<string>();

    public string ErrorMessage => ErrorResult?["message"]?.GetValue<string>() ?? "";

    public bool Failed => ErrorResult is not null;
}

/// <summary>
/// BigQuery jobs by id: jobs.insert with a caller-chosen job id, adoption of the job that id already names
/// (409), and jobs.get with the job's location until it is DONE.
/// </summary>
internal sealed class BigQueryJobs(BigQueryRest rest, BigQueryOptions options, TimeProvider time)
{
    private string Project => Uri.EscapeDataString(options.ProjectId);

    /// <summary>
    /// Runs the job <paramref name="jobId"/> with <paramref name="configuration"/> (a JobConfiguration: load or
    /// query) unless a job with that id exists, in which case that job is the one waited for ("adopted").
    /// </summary>
    /// <returns>The job once DONE, failed or not (the caller reads <see cref="FinishedJob.ErrorResult"/>).</returns>
    /// <exception cref="BigQueryException">A request failed for good, or the job was not DONE within <see cref="BigQueryOptions.JobTimeout"/>.</exception>
    public async Task<FinishedJob> RunAsync(string jobId, JsonObject configuration, CancellationToken ct)
    {
        var job = new JsonObject
        {
            ["jobReference"] = new JsonObject { ["projectId"] = options.ProjectId, ["jobId"] = jobId, ["location"] = options.Location },
            ["configuration"] = configuration,
        };
        var inserted = await rest.PostAsync($"projects/{Project}/jobs", job, ct);
        var adopted = inserted.Status == 409;
        if (!inserted.IsSuccess && !adopted) throw inserted.Failure("jobs.insert", jobId);
        var resource = adopted ? null : inserted.Body;
        var deadline = time.GetUtcNow() + options.JobTimeout;
        while (true)
        {
            if (resource?["status"]?["state"]?.GetValue<string>() == "DONE") return new FinishedJob(jobId, resource, adopted);
            if (resource is not null)
            {
                if (time.GetUtcNow() >= deadline)
                    throw new BigQueryException($"job {jobId} not DONE after {options.JobTimeout}; a later call adopts it", jobId: jobId);
                await Task.Delay(options.PollInterval, time, ct);
            }
            resource = await GetAsync(jobId, ct);
        }
    }

    /// <summary>jobs.get with the job's location (required outside the US and EU multi-regions).</summary>
    private async Task<JsonNode> GetAsync(string jobId, CancellationToken ct)
    {
        var got = await rest.GetAsync($"projects/{Project}/jobs/{Uri.EscapeDataString(jobId)}?location={Uri.EscapeDataString(options.Location)}", ct);
        if (!got.IsSuccess || got.Body is null) throw got.Failure("jobs.get", jobId);
        return got.Body;
    }
}
