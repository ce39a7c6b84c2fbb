using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using static CoffeeMesh.WarehouseLoader.Warehouse.BigQuery.QueryParameter;

namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>
/// The warehouse in BigQuery, through its REST API. An object is loaded by BigQuery itself from the bucket (a
/// load job from <see cref="ProcessedObject.GsUri"/> into a staging table of its own), then merged into the star
/// schema by one query job running one transaction. Both jobs have ids derived from the object's key, so a
/// retried request, a redelivered event or a second replica finds the job already there (409) and waits for it
/// instead of loading again. Reads go through jobs.query with named parameters. Errors: see each method;
/// <see cref="BigQueryException"/> is always worth retrying later.
/// </summary>
public sealed class BigQueryWarehouse : IWarehouse
{
    /// <summary>Job ids tried per load at most, failed jobs found from earlier calls included (a guard against a loop, never reached in practice).</summary>
    private const int MaxJobIds = 1000;

    private readonly BigQueryOptions _options;
    private readonly BigQueryRest _rest;
    private readonly BigQueryJobs _jobs;
    private readonly BigQueryQueries _queries;
    private readonly BigQuerySql _sql;
    private readonly TimeProvider _time;
    private readonly ILogger<BigQueryWarehouse> _logger;

    /// <summary>
    /// A warehouse on <paramref name="options"/>'s dataset, calling the API through <paramref name="http"/> (which
    /// adds credentials when needed; see <see cref="BigQueryServiceCollectionExtensions.AddBigQueryWarehouse"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid (<see cref="BigQueryOptions.Validate"/>).</exception>
    public BigQueryWarehouse(HttpClient http, BigQueryOptions options, ILogger<BigQueryWarehouse> logger, TimeProvider? time = null)
    {
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger;
        _rest = new BigQueryRest(http, options);
        _jobs = new BigQueryJobs(_rest, options, _time);
        _queries = new BigQueryQueries(_rest, options, _time);
        _sql = new BigQuerySql(options);
    }

    private string Project => Uri.EscapeDataString(_options.ProjectId);
    private string Dataset => Uri.EscapeDataString(_options.DatasetId);

    /// <summary>Creates the dataset (in <see cref="BigQueryOptions.Location"/>) and the tables that are missing; a 409 means it exists.</summary>
    /// <exception cref="BigQueryException">A request failed (after retries), e.g. no permission to create.</exception>
    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        var dataset = new JsonObject
        {
            ["datasetReference"] = new JsonObject { ["projectId"] = _options.ProjectId, ["datasetId"] = _options.DatasetId },
            ["location"] = _options.Location,
        };
        var created = await _rest.PostAsync($"projects/{Project}/datasets", dataset, ct);
        if (!created.IsSuccess && created.Status != 409) throw created.Failure($"datasets.insert {_options.DatasetId}");
        foreach (var (table, definition) in BigQueryTables.StarSchema())
            await InsertTableAsync(table, definition, ct);
    }

    /// <inheritdoc />
    /// <exception cref="BigQueryException">The query failed (after retries).</exception>
    public async Task<LoadedObject?> FindAsync(string objectKey, CancellationToken ct)
    {
        var rows = await _queries.ReadAsync(_sql.Find(), [String("object_key", objectKey)], ct);
        if (rows.Count == 0) return null;
        var r = rows[0];
        return new LoadedObject(r[0]!, Guid.Parse(r[1]!), checked((int)BigQueryQueries.Int64(r[2])), checked((int)BigQueryQueries.Int64(r[3])),
            BigQueryQueries.Int64(r[4]), BigQueryQueries.Timestamp(r[5]));
    }

    /// <summary>
    /// Loads <paramref name="processed"/> from the bucket (BigQuery reads <see cref="ProcessedObject.GsUri"/>;
    /// <paramref name="content"/> is not called) unless its key is loaded already, in which case no job runs.
    /// </summary>
    /// <returns>The committed load: this one or the earlier one.</returns>
    /// <exception cref="InvalidDataException">The load job failed with reason "invalid": the object is not processed CSV.</exception>
    /// <exception cref="BigQueryException">Jobs failed for other reasons <see cref="BigQueryOptions.MaxJobAttempts"/> times, a request failed
    /// after retries, or a job did not finish in time. Calling again resumes: finished jobs are adopted, not repeated.</exception>
    public async Task<LoadedObject> LoadAsync(ProcessedObject processed, Func<CancellationToken, Task<Stream>> content, CancellationToken ct)
    {
        var key = processed.Key;
        if (await FindAsync(key, ct) is { } earlier) return earlier;
        var ids = BigQueryJobIds.For(_options, key);
        var failures = 0;
        for (var attempt = 0; attempt < MaxJobIds; attempt++)
        {
            await InsertTableAsync(ids.StagingTable, BigQueryTables.Staging(_time.GetUtcNow() + _options.StagingExpiration), ct);
            var load = await _jobs.RunAsync(ids.Load(attempt), LoadConfiguration(processed, ids.StagingTable), ct);
            if (load.Failed)
            {
                if (load.ErrorReason == "invalid")
                    throw new InvalidDataException($"BigQuery refused {processed.GsUri} (load job {load.JobId}): {load.ErrorMessage}");
                Failed(load, "load", ref failures);
                continue;
            }
            var rows = long.Parse(load.Resource["statistics"]?["load"]?["outputRows"]?.GetValue<string>() ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
            var merge = await _jobs.RunAsync(ids.Merge(attempt), MergeConfiguration(processed, ids.StagingTable, rows), ct);
            if (merge.Failed)
            {
                Failed(merge, "merge", ref failures);
                continue;
            }
            if (await FindAsync(key, ct) is not { } loaded)
            {
                // An adopted merge that committed before the day was forgotten (ForgetDayAsync): load again under new ids.
                if (merge.Adopted) continue;
                throw new BigQueryException($"merge job {merge.JobId} succeeded but {key} has no load record", jobId: merge.JobId);
            }
            await DropStagingAsync(ids.StagingTable, ct);
            _logger.LogInformation("Loaded {Key} into BigQuery: {Rows} rows (jobs {Load}, {Merge})", key, loaded.Rows, load.JobId, merge.JobId);
            return loaded;
        }
        throw new BigQueryException($"{key}: {MaxJobIds} job ids tried without a committed load");
    }

    /// <summary>Counts a job this call started that failed; throws once <see cref="BigQueryOptions.MaxJobAttempts"/> have.</summary>
    private void Failed(FinishedJob job, string what, ref int failures)
    {
        _logger.LogWarning("BigQuery {What} job {Job} failed{Adopted}: {Reason}: {Message}", what, job.JobId, job.Adopted ? " (found so)" : "",
            job.ErrorReason, job.ErrorMessage);
        // A failed job found from an earlier call was counted then; only this call's own failures count now.
        if (!job.Adopted && ++failures >= _options.MaxJobAttempts)
            throw new BigQueryException($"{what} job {job.JobId} failed: {job.ErrorReason}: {job.ErrorMessage}", reason: job.ErrorReason, jobId: job.JobId);
    }

    /// <inheritdoc />
    /// <exception cref="BigQueryException">The query failed (after retries).</exception>
    public async Task<IReadOnlyList<LoadedBatch>> CountAsync(Guid ingestionId, CancellationToken ct)
    {
        var rows = await _queries.ReadAsync(_sql.Count(), [String("ingestion_id", ingestionId.ToString("D"))], ct);
        return rows.Select(r => new LoadedBatch(checked((int)BigQueryQueries.Int64(r[0])), checked((int)BigQueryQueries.Int64(r[1])),
            checked((int)BigQueryQueries.Int64(r[2])), BigQueryQueries.Int64(r[3]))).ToList();
    }

    /// <inheritdoc />
    /// <exception cref="BigQueryException">The query failed (after retries).</exception>
    public async Task<IReadOnlyList<DayTotals>> DayTotalsAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        var rows = await _queries.ReadAsync(_sql.DayTotals(), [Date("from", from), Date("to", to)], ct);
        return rows.Select(r => new DayTotals(BigQueryQueries.Date(r[0]), BigQueryQueries.Int64(r[1]), BigQueryQueries.Int64(r[2]),
            BigQueryQueries.Numeric(r[3]))).ToList();
    }

    /// <inheritdoc />
    /// <exception cref="BigQueryException">The DML job failed or a request failed (after retries); nothing was deleted then.</exception>
    public async Task ForgetDayAsync(DateOnly day, CancellationToken ct)
    {
        var job = await _jobs.RunAsync($"coffeemesh_forget_{Guid.NewGuid():N}", QueryConfiguration(_sql.ForgetDay(), [Date("day", day)]), ct);
        if (job.Failed)
            throw new BigQueryException($"forgetting {day:yyyy-MM-dd}: job {job.JobId} failed: {job.ErrorReason}: {job.ErrorMessage}", reason: job.ErrorReason, jobId: job.JobId);
        _logger.LogInformation("Forgot {Day} in BigQuery (job {Job})", day, job.JobId);
    }

    private JsonObject LoadConfiguration(ProcessedObject processed, string stagingTable) => new()
    {
        ["load"] = new JsonObject
        {
            ["sourceUris"] = new JsonArray(processed.GsUri),
            ["sourceFormat"] = "CSV",
            ["skipLeadingRows"] = 1,
            ["fieldDelimiter"] = ",",
            ["quote"] = "\"",
            ["allowQuotedNewlines"] = true,
            ["encoding"] = "UTF-8",
            ["maxBadRecords"] = 0,
            ["schema"] = new JsonObject { ["fields"] = BigQueryTables.ProcessedCsvFields() },
            ["destinationTable"] = TableReference(stagingTable),
            // The staging table is the object's alone: a repeated load replaces, never adds to, what it holds.
            ["writeDisposition"] = "WRITE_TRUNCATE",
            ["createDisposition"] = "CREATE_IF_NEEDED",
        },
    };

    private JsonObject MergeConfiguration(ProcessedObject processed, string stagingTable, long rows) =>
        QueryConfiguration(_sql.Merge(stagingTable),
        [
            String("object_key", processed.Key), String("ingestion_id", processed.IngestionId.ToString("D")),
            Int64("ingestion_number", processed.IngestionNumber), Int64("sequence", processed.Sequence),
            Int64("batch_objects", processed.BatchObjects), Int64("rows", rows),
        ]);

    private static JsonObject QueryConfiguration(string sql, IEnumerable<QueryParameter> parameters) => new()
    {
        ["query"] = new JsonObject
        {
            ["query"] = sql,
            ["useLegacySql"] = false,
            ["parameterMode"] = "NAMED",
            ["queryParameters"] = QueryParameter.ToJson(parameters),
        },
    };

    private JsonObject TableReference(string table) =>
        new() { ["projectId"] = _options.ProjectId, ["datasetId"] = _options.DatasetId, ["tableId"] = table };

    /// <summary>tables.insert; a 409 means the table exists and is left as it is.</summary>
    private async Task InsertTableAsync(string table, JsonObject definition, CancellationToken ct)
    {
        definition["tableReference"] = TableReference(table);
        var created = await _rest.PostAsync($"projects/{Project}/datasets/{Dataset}/tables", definition, ct);
        if (!created.IsSuccess && created.Status != 409) throw created.Failure($"tables.insert {table}");
    }

    /// <summary>Best effort: a staging table left behind expires (<see cref="BigQueryOptions.StagingExpiration"/>).</summary>
    private async Task DropStagingAsync(string table, CancellationToken ct)
    {
        try
        {
            var deleted = await _rest.DeleteAsync($"projects/{Project}/datasets/{Dataset}/tables/{Uri.EscapeDataString(table)}", ct);
            if (!deleted.IsSuccess && deleted.Status != 404)
                _logger.LogInformation("Staging table {Table} not dropped ({Status}); it expires", table, deleted.Status);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            _logger.LogInformation(e, "Staging table {Table} not dropped; it expires", table);
        }
    }
}
