using System.Text.Json.Nodes;
using CoffeeMesh.Contracts;
using CoffeeMesh.WarehouseLoader.Warehouse;
using CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;
using Microsoft.Extensions.Logging.Abstractions;
using Fault = CoffeeMesh.Tests.Warehouse.BigQueryStandIn.Fault;
using JobScript = CoffeeMesh.Tests.Warehouse.BigQueryStandIn.JobScript;

namespace CoffeeMesh.Tests.Warehouse;

/// <summary>
/// CoffeeMesh.WarehouseLoader.Warehouse.BigQuery.BigQueryWarehouse against <see cref="BigQueryStandIn"/>: what it
/// sends to BigQuery's REST API, and what it does with scripted answers and faults. Not run against real BigQuery.
/// </summary>
public sealed class BigQueryWarehouseTests : IAsyncLifetime
{
    private BigQueryStandIn _bq = null!;
    private readonly ProcessedObject _object = new()
    {
        Bucket = "coffee-sales-data", Name = "processed/date=2024-01-02/7f1c2a4e-0000-4000-8000-000000000001-3.csv", Generation = 1712345678901234,
        IngestionId = Guid.Parse("7f1c2a4e-0000-4000-8000-000000000001"), IngestionNumber = 12, Sequence = 3, BatchObjects = 2, Rows = 3,
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bq = await BigQueryStandIn.StartAsync();
        // A load record appears once a merge for that object key was sent: the stand-in runs no SQL, the test scripts it.
        _bq.Rows = query => Parameter(query, "object_key") is { } key && query["query"]!.GetValue<string>().Contains("loaded_object")
            && _bq.JobInserts.Any(r => r.Body!["configuration"]!["query"] is { } q && Parameter(q, "object_key") == key)
            ? [[key, _object.IngestionId.ToString(), "3", "2", "3", "1712345678901234"]]
            : [];
    }

    public async ValueTask DisposeAsync() => await _bq.DisposeAsync();

    private BigQueryOptions Options(int maxRetries = 3) => new()
    {
        ProjectId = "coffeemesh-test", DatasetId = "sales", Location = BigQueryStandIn.Location, Endpoint = _bq.Endpoint,
        PollInterval = TimeSpan.FromMilliseconds(5), RetryDelay = TimeSpan.FromMilliseconds(5), MaxRetries = maxRetries,
    };

    private BigQueryWarehouse Warehouse(BigQueryOptions? options = null) =>
        new(new HttpClient(), options ?? Options(), NullLogger<BigQueryWarehouse>.Instance);

    private Task<LoadedObject> LoadAsync(BigQueryWarehouse warehouse) =>
        warehouse.LoadAsync(_object, _ => throw new InvalidOperationException("BigQuery reads the bucket itself"), Ct);

    private BigQueryJobIds Ids => BigQueryJobIds.For(Options(), _object.Key);

    private static string? Parameter(JsonNode query, string name) =>
        query["queryParameters"]?.AsArray().FirstOrDefault(p => p!["name"]!.GetValue<string>() == name)?["parameterValue"]?["value"]?.GetValue<string>();

    private IReadOnlyList<BigQueryStandIn.Request> LoadInserts =>
        _bq.JobInserts.Where(r => r.Body!["configuration"]!["load"] is not null).ToList();

    private IReadOnlyList<BigQueryStandIn.Request> JobGets(string jobId) =>
        _bq.Requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/jobs/" + jobId)).ToList();

    [Fact]
    public async Task BigQuery_load_job_reads_the_object_from_the_bucket_as_csv_with_an_explicit_schema_into_its_staging_table()
    {
        var loaded = await LoadAsync(Warehouse());

        var insert = LoadInserts.Single().Body!;
        Assert.Equal("coffeemesh-test", insert["jobReference"]!["projectId"]!.GetValue<string>());
        Assert.Equal(Ids.Load(0), insert["jobReference"]!["jobId"]!.GetValue<string>());
        Assert.Equal(BigQueryStandIn.Location, insert["jobReference"]!["location"]!.GetValue<string>());
        var load = insert["configuration"]!["load"]!;
        Assert.Equal($"gs://coffee-sales-data/{_object.Name}", load["sourceUris"]!.AsArray().Single()!.GetValue<string>());
        Assert.Equal("CSV", load["sourceFormat"]!.GetValue<string>());
        Assert.Equal(1, load["skipLeadingRows"]!.GetValue<int>());
        Assert.Equal(SalesColumns.All, load["schema"]!["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()));
        Assert.Equal(["STRING", "DATE", "TIME", "INTEGER", "INTEGER", "STRING", "INTEGER", "NUMERIC", "STRING", "STRING", "STRING"],
            load["schema"]!["fields"]!.AsArray().Select(f => f!["type"]!.GetValue<string>()));
        Assert.Equal("WRITE_TRUNCATE", load["writeDisposition"]!.GetValue<string>());
        Assert.Equal(Ids.StagingTable, load["destinationTable"]!["tableId"]!.GetValue<string>());
        Assert.Equal("sales", load["destinationTable"]!["datasetId"]!.GetValue<string>());
        // The staging table was created with an expiration before the load, and dropped after the merge.
        var staging = _bq.Requests.Single(r => r.Method == "POST" && r.Path.EndsWith("/tables") && r.Body!["tableReference"]!["tableId"]!.GetValue<string>() == Ids.StagingTable);
        Assert.True(long.Parse(staging.Body!["expirationTime"]!.GetValue<string>()) > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Single(_bq.Requests, r => r.Method == "DELETE" && r.Path.EndsWith("/tables/" + Ids.StagingTable));
        Assert.Equal(new LoadedObject(_object.Key, _object.IngestionId, 3, 2, 3, DateTimeOffset.FromUnixTimeMilliseconds(1712345678901).AddTicks(2340)), loaded);
    }

    [Fact]
    public void BigQuery_job_ids_are_derived_from_the_object_key_and_the_dataset_in_the_allowed_characters()
    {
        var ids = BigQueryJobIds.For(Options(), _object.Key);
        var again = BigQueryJobIds.For(Options(), _object.Key);
        var otherDataset = BigQueryJobIds.For(new BigQueryOptions { ProjectId = "coffeemesh-test", DatasetId = "sales_copy" }, _object.Key);
        var otherGeneration = BigQueryJobIds.For(Options(), _object with { Generation = _object.Generation + 1 } is var o ? o.Key : "");

        Assert.Equal(ids.Load(0), again.Load(0));
        Assert.NotEqual(ids.Load(0), otherDataset.Load(0));
        Assert.NotEqual(ids.Load(0), otherGeneration.Load(0));
        Assert.NotEqual(ids.Load(0), ids.Load(1));
        Assert.NotEqual(ids.Load(0), ids.Merge(0));
        foreach (var id in new[] { ids.Load(0), ids.Merge(7), ids.StagingTable })
            Assert.True(id.Length <= 1024 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'), id);
    }

    [Fact]
    public async Task BigQuery_merges_in_one_transaction_with_named_parameters_and_no_values_in_the_sql()
    {
        await LoadAsync(Warehouse());

        var merge = _bq.JobInserts.Single(r => r.Body!["configuration"]!["query"] is not null).Body!;
        Assert.Equal(Ids.Merge(0), merge["jobReference"]!["jobId"]!.GetValue<string>());
        var query = merge["configuration"]!["query"]!;
        Assert.False(query["useLegacySql"]!.GetValue<bool>());
        Assert.Equal("NAMED", query["parameterMode"]!.GetValue<string>());
        Assert.Equal(_object.Key, Parameter(query, "object_key"));
        Assert.Equal(_object.IngestionId.ToString(), Parameter(query, "ingestion_id"));
        Assert.Equal("12", Parameter(query, "ingestion_number"));
        Assert.Equal("3", Parameter(query, "sequence"));
        Assert.Equal("2", Parameter(query, "batch_objects"));
        Assert.Equal("3", Parameter(query, "rows")); // the load job's outputRows
        var sql = query["query"]!.GetValue<string>();
        Assert.Contains("BEGIN TRANSACTION;", sql);
        Assert.EndsWith("COMMIT TRANSACTION;", sql.Trim());
        Assert.Contains("MERGE `coffeemesh-test.sales.fact_sales`", sql);
        Assert.Contains($"`coffeemesh-test.sales.{Ids.StagingTable}`", sql);
        Assert.DoesNotContain(_object.Name, sql);
        Assert.DoesNotContain(_object.IngestionId.ToString(), sql);
    }

    [Fact]
    public async Task BigQuery_adopts_an_existing_load_job_on_409()
    {
        // Another replica (or an earlier call) started this object's load job, which is still running.
        _bq.AddJob(Ids.Load(0), new JsonObject { ["load"] = new JsonObject() }, new JobScript(RunningPolls: 2, OutputRows: 3));

        await LoadAsync(Warehouse());

        Assert.Equal(Ids.Load(0), LoadInserts.Single().Body!["jobReference"]!["jobId"]!.GetValue<string>());
        Assert.Equal(3, JobGets(Ids.Load(0)).Count); // polled until DONE: RUNNING, RUNNING, DONE
        Assert.Single(_bq.JobInserts, r => r.Body!["configuration"]!["query"] is not null);
    }

    [Theory]
    [InlineData(503, false, false)]
    [InlineData(429, false, false)]
    [InlineData(0, true, false)]
    [InlineData(0, true, true)]
    public async Task BigQuery_retries_jobs_insert_with_the_same_job_id_after_503_429_and_a_dropped_connection(int status, bool drop, bool afterHandling)
    {
        _bq.Fail("POST", "/jobs", new Fault(Status: status, Reason: status == 429 ? "rateLimitExceeded" : "backendError", Drop: drop, AfterHandling: afterHandling));

        await LoadAsync(Warehouse());

        var loads = LoadInserts;
        Assert.Equal(2, loads.Count);
        Assert.All(loads, r => Assert.Equal(Ids.Load(0), r.Body!["jobReference"]!["jobId"]!.GetValue<string>()));
        // A first attempt that reached BigQuery before the connection dropped is adopted: still one job, never a second load.
        Assert.Empty(_bq.JobInserts.Where(r => r.Body!["jobReference"]!["jobId"]!.GetValue<string>() == Ids.Load(1)));
    }

    [Fact]
    public async Task BigQuery_retries_a_rate_limit_403_but_not_a_permission_403()
    {
        _bq.Fail("POST", "/jobs", new Fault(Status: 403, Reason: "rateLimitExceeded"));
        await LoadAsync(Warehouse());
        Assert.Equal(2, LoadInserts.Count);

        _bq.Fail("POST", "/queries", new Fault(Status: 403, Reason: "accessDenied"));
        var denied = await Assert.ThrowsAsync<BigQueryException>(() => Warehouse().DayTotalsAsync(new(2024, 1, 1), new(2024, 1, 31), Ct));
        Assert.Equal(403, denied.StatusCode);
        Assert.Equal("accessDenied", denied.Reason);
    }

    [Fact]
    public async Task BigQuery_gives_up_after_the_configured_retries_of_a_request()
    {
        _bq.Fail("POST", "/queries", Enumerable.Repeat(new Fault(Status: 503), 3).ToArray());

        var failed = await Assert.ThrowsAsync<BigQueryException>(() => Warehouse(Options(maxRetries: 2)).FindAsync(_object.Key, Ct));

        Assert.Equal(503, failed.StatusCode);
        Assert.Equal(3, _bq.Requests.Count(r => r.Path.EndsWith("/queries")));
    }

    [Fact]
    public async Task BigQuery_polls_jobs_get_with_the_location_until_the_job_is_done()
    {
        _bq.Jobs = (_, configuration) => new JobScript(RunningPolls: configuration["load"] is not null ? 4 : 1);

        await LoadAsync(Warehouse());

        var polls = JobGets(Ids.Load(0));
        Assert.Equal(5, polls.Count);
        Assert.All(polls, p => Assert.Equal(BigQueryStandIn.Location, p.Query["location"].ToString()));
        // The merge is sent only once the load is DONE.
        var requests = _bq.Requests.ToList();
        Assert.True(requests.IndexOf(polls[^1]) < requests.FindIndex(r => r.Method == "POST" && r.Body?["configuration"]?["query"] is not null));
    }

    [Fact]
    public async Task BigQuery_load_fails_when_the_job_is_done_with_an_error_result_invalid()
    {
        _bq.Jobs = (_, configuration) => configuration["load"] is not null
            ? new JobScript(ErrorResult: new JsonObject { ["reason"] = "invalid", ["message"] = "Error while reading data, error message: CSV table encountered too many errors" })
            : new JobScript();

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => LoadAsync(Warehouse()));

        Assert.Contains("CSV table encountered too many errors", refused.Message);
        Assert.Single(LoadInserts);
        Assert.DoesNotContain(_bq.JobInserts, r => r.Body!["configuration"]!["query"] is not null);
    }

    [Fact]
    public async Task BigQuery_retries_a_job_that_failed_for_a_backend_error_under_the_next_attempts_id_and_gives_up_after_max_attempts()
    {
        _bq.Jobs = (id, configuration) => configuration["load"] is not null && id == Ids.Load(0)
            ? new JobScript(ErrorResult: new JsonObject { ["reason"] = "backendError", ["message"] = "try again" })
            : new JobScript();

        await LoadAsync(Warehouse());
        Assert.Equal([Ids.Load(0), Ids.Load(1)], LoadInserts.Select(r => r.Body!["jobReference"]!["jobId"]!.GetValue<string>()));

        await using var always = await BigQueryStandIn.StartAsync();
        always.Jobs = (_, _) => new JobScript(ErrorResult: new JsonObject { ["reason"] = "backendError", ["message"] = "try again" });
        var options = Options();
        options.Endpoint = always.Endpoint;
        var failed = await Assert.ThrowsAsync<BigQueryException>(() => Warehouse(options).LoadAsync(_object, _ => throw new InvalidOperationException(), Ct));
        Assert.Equal("backendError", failed.Reason);
        Assert.Equal(options.MaxJobAttempts, always.JobInserts.Count);
    }

    [Fact]
    public async Task BigQuery_load_succeeds_when_the_job_is_done_with_only_warnings_in_errors()
    {
        _bq.Jobs = (_, _) => new JobScript(Errors: [new JsonObject { ["reason"] = "invalid", ["message"] = "a warning, not a failure" }]);

        var loaded = await LoadAsync(Warehouse());

        Assert.Equal(_object.Key, loaded.ObjectKey);
        Assert.Single(LoadInserts);
    }

    [Fact]
    public async Task BigQuery_loads_an_object_loaded_twice_with_one_load_job()
    {
        var warehouse = Warehouse();
        var first = await LoadAsync(warehouse);
        var second = await LoadAsync(warehouse);
        var third = await LoadAsync(Warehouse()); // another replica

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.Single(LoadInserts);
        Assert.Single(_bq.JobInserts, r => r.Body!["configuration"]!["query"] is not null);
    }

    [Fact]
    public async Task BigQuery_creates_the_dataset_in_its_location_and_the_tables_and_takes_409_as_existing()
    {
        await Warehouse().EnsureSchemaAsync(Ct);
        await Warehouse().EnsureSchemaAsync(Ct);

        var dataset = _bq.Requests.First(r => r.Method == "POST" && r.Path == "/projects/coffeemesh-test/datasets").Body!;
        Assert.Equal("sales", dataset["datasetReference"]!["datasetId"]!.GetValue<string>());
        Assert.Equal(BigQueryStandIn.Location, dataset["location"]!.GetValue<string>());
        var tables = _bq.Requests.Where(r => r.Path == "/projects/coffeemesh-test/datasets/sales/tables").Select(r => r.Body!).ToList();
        Assert.Equal(["dim_date", "dim_time", "dim_store", "dim_product", "fact_sales", "loaded_object"],
            tables.Take(6).Select(t => t["tableReference"]!["tableId"]!.GetValue<string>()));
        Assert.Equal(12, tables.Count);
        var facts = tables.First(t => t["tableReference"]!["tableId"]!.GetValue<string>() == "fact_sales");
        Assert.Equal("NUMERIC", facts["schema"]!["fields"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "total_amount")!["type"]!.GetValue<string>());
        var store = tables.First(t => t["tableReference"]!["tableId"]!.GetValue<string>() == "dim_store");
        Assert.Equal(["store_key", "store_id", "store_location", "valid_from", "valid_to", "is_current"],
            store["schema"]!["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task BigQuery_reads_day_totals_and_batch_counts_with_named_parameters()
    {
        _bq.Rows = query => query["query"]!.GetValue<string>().Contains("fact_sales")
            ? [["2024-01-02", "120", "180", "512.35"], ["2024-01-03", "7", "9", "1E+1"]]
            : [["3", "2", "2", "120"]];

        var days = await Warehouse().DayTotalsAsync(new(2024, 1, 1), new(2024, 1, 31), Ct);
        var batches = await Warehouse().CountAsync(_object.IngestionId, Ct);

        Assert.Equal([new DayTotals(new(2024, 1, 2), 120, 180, 512.35m), new DayTotals(new(2024, 1, 3), 7, 9, 10m)], days);
        Assert.Equal([new LoadedBatch(3, 2, 2, 120)], batches);
        var queries = _bq.Requests.Where(r => r.Path.EndsWith("/queries")).Select(r => r.Body!).ToList();
        Assert.All(queries, q => Assert.Equal("NAMED", q["parameterMode"]!.GetValue<string>()));
        Assert.All(queries, q => Assert.Equal(BigQueryStandIn.Location, q["location"]!.GetValue<string>()));
        Assert.Equal("2024-01-01", Parameter(queries[0], "from"));
        Assert.Equal("2024-01-31", Parameter(queries[0], "to"));
        Assert.Equal(_object.IngestionId.ToString(), Parameter(queries[1], "ingestion_id"));
    }

    [Fact]
    public async Task BigQuery_forgets_a_day_with_one_dml_transaction_job()
    {
        await Warehouse().ForgetDayAsync(new DateOnly(2024, 1, 2), Ct);

        var job = _bq.JobInserts.Single().Body!;
        var query = job["configuration"]!["query"]!;
        Assert.Equal("2024-01-02", Parameter(query, "day"));
        Assert.Contains("DELETE FROM `coffeemesh-test.sales.fact_sales` WHERE transaction_date = @day", query["query"]!.GetValue<string>());
        Assert.Contains("DELETE FROM `coffeemesh-test.sales.loaded_object` WHERE day = @day", query["query"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("coffeemesh-test`; DROP", "sales", "US")]
    [InlineData("Coffeemesh", "sales", "US")]
    [InlineData("coffeemesh-test", "sales.other", "US")]
    [InlineData("coffeemesh-test", "sales`", "US")]
    [InlineData("coffeemesh-test", "sales", "us central")]
    public void BigQuery_options_refuse_identifiers_that_could_break_out_of_the_sql(string project, string dataset, string location)
    {
        var options = new BigQueryOptions { ProjectId = project, DatasetId = dataset, Location = location };
        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Fact]
    public void BigQuery_sends_credentials_only_to_googleapis_unless_told()
    {
        Assert.True(new BigQueryOptions().CredentialsNeeded);
        Assert.False(new BigQueryOptions { Endpoint = "http://127.0.0.1:9050/" }.CredentialsNeeded);
        Assert.True(new BigQueryOptions { Endpoint = "http://127.0.0.1:9050/", UseCredentials = true }.CredentialsNeeded);
        Assert.False(new BigQueryOptions { UseCredentials = false }.CredentialsNeeded);
    }
}
