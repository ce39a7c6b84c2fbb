using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.Bench;
using CoffeeMesh.Tests.Infrastructure;
using MySqlConnector;

// coffeemesh-bench (./coffeemesh bench starts the servers and builds Release first): sets up a
// mesh of its own (databases, queues, landing folder), measures, and removes it all again.
// Parts: stages (native floors, each stage alone, outbox latency), mesh (one big file end to end),
// freshness (small files dropped in incoming/), upload (HTTP upload vs a file placed in landing/),
// dashboard (the dashboard's queries on a throwaway star schema of --dashboard-facts facts; not in the default set).
string Arg(string name, string? fallback = null) =>
    args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault() ?? fallback ?? throw new ArgumentException($"--{name} is required");

var parts = args.Contains("--stages-only") ? ["stages"]
    : args.Contains("--mesh-only") ? ["mesh"]
    : Arg("only", "stages,mesh,freshness,upload").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
string[] known = ["stages", "mesh", "freshness", "upload", "dashboard"];
if (parts.Except(known).ToList() is { Count: > 0 } unknown) throw new ArgumentException($"--only: unknown part(s) {string.Join(", ", unknown)}; parts are {string.Join(", ", known)}");
var skipMesh = !parts.Contains("mesh");
var meshOnly = !parts.Contains("stages");
var batchSize = int.Parse(Arg("batch-size", "10000"));
var maxBatchesAhead = int.Parse(Arg("max-batches-ahead", "20"));
var outDir = Path.GetFullPath(Arg("out", Path.Combine(TestEnvironment.RepoRoot, "bench", "results")));
var oltpBase = TestEnvironment.Get("ConnectionStrings__oltp");
var olap = TestEnvironment.Get("ConnectionStrings__olap");

// The big file of the stages and mesh parts: --file, or generated once per size under bench/data/.
var file = args.Contains("--file") ? Path.GetFullPath(Arg("file")) : Path.Combine(TestEnvironment.RepoRoot, "bench", "data", $"raw-{long.Parse(Arg("rows", "1000000"))}.csv");
if (!parts.Contains("stages") && skipMesh) file = "";
else if (!File.Exists(file))
{
    var generate = long.Parse(Arg("rows", "1000000"));
    Console.Error.WriteLine($"bench: generating {generate:N0} rows into {file}");
    Directory.CreateDirectory(Path.GetDirectoryName(file)!);
    await using (var w = new StreamWriter(file + ".tmp"))
        new CoffeeMesh.Cli.SalesGenerator(new CoffeeMesh.Cli.GeneratorSettings(generate, new DateOnly(2025, 1, 1), 180, 0, 1)).Write(w);
    File.Move(file + ".tmp", file);
}
var rows = file == "" ? 0 : File.ReadLines(file).LongCount() - 1;
var label = Arg("label", file == "" ? string.Join("-", parts) : Path.GetFileNameWithoutExtension(file));
var scratch = new MySqlConnectionStringBuilder(oltpBase) { Database = "coffee_shop_sales_bench_scratch" }.ConnectionString;

if (file != "") Console.Error.WriteLine($"bench: {rows:N0} rows ({new FileInfo(file).Length / 1e6:0.0} MB) from {file}");
var results = new JsonObject { ["label"] = label, ["parts"] = string.Join(",", parts), ["rows"] = rows, ["file"] = file == "" ? null : file, ["batch_size"] = batchSize, ["max_batches_ahead"] = maxBatchesAhead, ["at"] = DateTime.UtcNow.ToString("O"),
    ["machine"] = $"{Environment.ProcessorCount} cores" };
// Runtime knobs set for an experiment (the services inherit them): a run says which it was.
string[] toolingOnly = ["DOTNET_ROOT", "DOTNET_CLI_", "DOTNET_NOLOGO", "DOTNET_SKIP_FIRST_TIME_EXPERIENCE", "DOTNET_GENERATE_ASPNET_CERTIFICATE"];
var knobs = Environment.GetEnvironmentVariables().Keys.Cast<string>()
    .Where(k => k.StartsWith("DOTNET_") && !toolingOnly.Any(k.StartsWith)).Order()
    .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}").ToList();
if (knobs.Count > 0) results["runtime_knobs"] = string.Join(" ", knobs);

double mysqlFloor = double.NaN;
double? pgFloor = null;
if (!meshOnly)
{
    await TestDatabases.DropMySqlAsync(scratch);
    await using (var c = new MySqlConnection(new MySqlConnectionStringBuilder(scratch) { Database = "" }.ConnectionString))
    {
        await c.OpenAsync();
        await new MySqlCommand("CREATE DATABASE coffee_shop_sales_bench_scratch", c).ExecuteNonQueryAsync();
    }
    Console.Error.WriteLine("  native floor: MariaDB LOAD DATA LOCAL INFILE ...");
    // Best of three: a single load swings widely from run to run (background flushing, the
    // client's JIT state), and a floor should be the fastest the database can take the file.
    const int floorRuns = 3;
    var loadCpu = new CpuSample();
    mysqlFloor = await BestOfAsync(floorRuns, () => NativeFloors.MySqlLoadDataAsync(scratch, file, rows));
    var loadSpent = loadCpu.Stop();
    Console.Error.WriteLine("  native floor: PostgreSQL COPY ...");
    var copyCpu = new CpuSample();
    try { pgFloor = await BestOfAsync(floorRuns, () => NativeFloors.PostgresCopyAsync(olap, file, rows)); }
    catch (Npgsql.PostgresException e) { Console.Error.WriteLine($"    COPY refused the file ({e.MessageText}): dirty rows? floor not measured"); }
    var copySpent = copyCpu.Stop();
    Console.Error.WriteLine("  stage alone: ingest read ...");
    var read = await StageBenchmarks.ReadAsync(file, batchSize);
    Console.Error.WriteLine("  stage alone: transform clean ...");
    var cleanCpu = new CpuSample(); // the file is read again here: reading and cleaning, ingest's and transform's work
    var clean = await StageBenchmarks.CleanAsync(file, batchSize);
    var cleanSpent = cleanCpu.Stop();
    Console.Error.WriteLine("  stage alone: oltp-writer write ...");
    var (write, storedBatches, writeCpu) = await StageBenchmarks.WriteAsync(file, batchSize, scratch, new CoffeeMesh.OltpWriter.CleanSalesBatchConsumerDefinition().ConcurrentMessageLimit ?? 1);
    Console.Error.WriteLine("  stage alone: olap-sync ...");
    var olapScratch = new Npgsql.NpgsqlConnectionStringBuilder(olap) { Database = "coffee_sales_data_bench_scratch" }.ConnectionString;
    await TestDatabases.DropPostgresAsync(olapScratch);
    var (sync, syncCpu) = await StageBenchmarks.SyncAsync(storedBatches, scratch, olapScratch,
        new CoffeeMesh.OlapSync.SalesBatchStoredConsumerDefinition().ConcurrentMessageLimit ?? 1);
    await TestDatabases.DropPostgresAsync(olapScratch);
    Console.Error.WriteLine("  stage alone: warehouse-loader (DuckDB) ...");
    var warehouse = await WarehouseBenchmark.LoadAsync(scratch);
    Console.Error.WriteLine("  outbox: commit-to-consume latency ...");
    var latencyDb = new MySqlConnectionStringBuilder(oltpBase) { Database = "coffee_shop_sales_bench_outbox" }.ConnectionString;
    await TestDatabases.DropMySqlAsync(latencyDb);
    var latency = await OutboxLatency.MeasureAsync(latencyDb);
    await TestDatabases.DropMySqlAsync(latencyDb);

    results["native"] = new JsonObject { ["mysql_load_data_rows_per_s"] = Math.Round(mysqlFloor), ["postgres_copy_rows_per_s"] = pgFloor is null ? null : Math.Round(pgFloor.Value) };
    results["stages_alone"] = new JsonObject
    {
        ["ingest_read_rows_per_s"] = Math.Round(read), ["transform_clean_rows_per_s"] = Math.Round(clean), ["oltp_write_rows_per_s"] = Math.Round(write),
        ["oltp_write_vs_load_data"] = Math.Round(write / mysqlFloor, 2),
        ["olap_sync_rows_per_s"] = Math.Round(sync),
        ["olap_sync_vs_copy"] = pgFloor is null ? null : Math.Round(sync / pgFloor.Value, 2),
        ["oltp_write_cpu_seconds"] = Cpu(writeCpu),
        ["olap_sync_cpu_seconds"] = Cpu(syncCpu),
        ["warehouse_load_rows_per_s"] = Math.Round(warehouse.RowsPerSecond),
        ["warehouse_load_objects"] = warehouse.Objects,
        ["warehouse_load_cpu_seconds"] = Cpu(warehouse.Cpu),
    };
    results["outbox_latency_ms"] = new JsonObject
    {
        ["messages"] = latency.Messages, ["median"] = Math.Round(latency.MedianMs, 1), ["p95"] = Math.Round(latency.P95Ms, 1), ["max"] = Math.Round(latency.MaxMs, 1),
    };
    results["cpu_budget"] = CpuBudget.Of(rows, mysqlFloor, cleanSpent, writeCpu, syncCpu, loadSpent, pgFloor is null ? null : copySpent, floorRuns);
    await TestDatabases.DropMySqlAsync(scratch);
}

if (parts.Contains("dashboard"))
{
    var facts = long.Parse(Arg("dashboard-facts", "10000000"));
    var runs = int.Parse(Arg("dashboard-runs", "7"));
    Console.Error.WriteLine($"  dashboard: {facts:N0} synthetic facts into a throwaway star schema, then each query {runs} times ...");
    results["dashboard"] = await DashboardQueries.MeasureAsync(olap, facts, runs);
}

BenchMesh? benchMesh = null;
if (parts.Any(p => p is "mesh" or "freshness" or "upload"))
{
    var configuration = typeof(BenchMesh).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
        .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration;
    Console.Error.WriteLine($"  starting a mesh of its own ({configuration} build) ...");
    results["configuration"] = configuration;
    benchMesh = await BenchMesh.StartAsync(batchSize, maxBatchesAhead);
}
try
{
if (!skipMesh)
{
    Console.Error.WriteLine("  end to end through the mesh ...");
    var landing = benchMesh!.Landing;
    var source = Path.Combine("bench", Path.GetFileName(file));
    Directory.CreateDirectory(Path.Combine(landing, "bench"));
    File.Copy(file, Path.Combine(landing, source), overwrite: true);
    var http = benchMesh.Ingest;
    // Services are long-lived: the first batches through a fresh mesh pay for JIT compilation
    // (perf showed much of a fresh service's CPU there). A small warm-up ingestion, of other
    // dates so it shares no transaction id with the measured file, goes first and is reported apart.
    var warmupRows = int.Parse(Arg("warmup-rows", "50000"));
    double? warmupSeconds = null;
    if (warmupRows > 0)
    {
        Console.Error.WriteLine($"  warm-up: {warmupRows:N0} rows through the mesh ...");
        var warmupSource = Path.Combine("bench", $"warmup-{warmupRows}.csv");
        await using (var w = new StreamWriter(Path.Combine(landing, warmupSource)))
            new CoffeeMesh.Cli.SalesGenerator(new CoffeeMesh.Cli.GeneratorSettings(warmupRows, new DateOnly(2020, 1, 1), 30, 0, 2)).Write(w);
        warmupSeconds = (await MeshRun.RunAsync(http, warmupSource)).TotalSeconds;
    }
    var cpuBefore = MeshProcesses.CpuSeconds();
    var mesh = await MeshRun.RunAsync(http, source);
    var cpu = MeshProcesses.Delta(cpuBefore, MeshProcesses.CpuSeconds());
    var stored = mesh.Status["stored_oltp"]!.GetValue<long>();
    var synced = mesh.Status["synced_olap"]!.GetValue<long>();
    var memory = MeshProcesses.PeakMegabytes();
    results["end_to_end"] = new JsonObject
    {
        ["warmup_rows"] = warmupRows,
        ["warmup_seconds"] = warmupSeconds is null ? null : Math.Round(warmupSeconds.Value, 2),
        ["seconds"] = Math.Round(mesh.TotalSeconds, 2),
        ["rows_per_s"] = Math.Round(rows / mesh.TotalSeconds),
        ["ingest_read_seconds"] = Math.Round(mesh.ReadSeconds, 2),
        ["ingest_rows_per_s"] = Math.Round(rows / mesh.ReadSeconds),
        ["vs_load_data"] = meshOnly ? null : Math.Round(rows / mesh.TotalSeconds / mysqlFloor, 2),
        // The native floor for the whole path: the file loaded into MySQL, then copied into PostgreSQL.
        ["vs_load_data_then_copy"] = pgFloor is null ? null : Math.Round(rows / mesh.TotalSeconds / (1 / (1 / mysqlFloor + 1 / pgFloor.Value)), 2),
        ["stored_seconds"] = Math.Round(mesh.StoredSeconds, 2),
        ["stored_rows_per_s"] = Math.Round(rows / mesh.StoredSeconds),
        ["stored_oltp"] = stored,
        ["synced_olap"] = synced,
        ["balanced"] = mesh.Status["balanced"]?.DeepClone(),
        ["peak_rss_mb"] = new JsonObject(memory.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Math.Round(kv.Value)))),
        ["peak_batches_ahead_of_mysql"] = mesh.PeakBatchesAhead,
        ["rabbitmq_peak_rss_mb"] = Math.Round(mesh.BrokerPeakMegabytes),
        ["cpu_seconds"] = Cpu(cpu),
    };
}

if (parts.Contains("freshness"))
{
    var drops = int.Parse(Arg("freshness-drops", "10"));
    var dropRows = int.Parse(Arg("freshness-rows", "1000"));
    Console.Error.WriteLine($"  freshness: {drops} files of {dropRows:N0} rows dropped in incoming/ ...");
    var fresh = await Freshness.MeasureAsync(benchMesh!, dropRows, drops);
    results["freshness"] = new JsonObject
    {
        ["rows_per_file"] = dropRows, ["drops"] = drops,
        ["median_seconds"] = Math.Round(fresh.Median, 3), ["p90_seconds"] = Math.Round(fresh.P90, 3),
        ["seconds"] = new JsonArray(fresh.Seconds.Select(x => (JsonNode?)Math.Round(x, 3)).ToArray()),
        ["warmup_seconds"] = Math.Round(fresh.WarmupSeconds, 3),
    };
}

if (parts.Contains("upload"))
{
    var uploadRows = int.Parse(Arg("upload-rows", "150000"));
    var runs = int.Parse(Arg("upload-runs", "3"));
    Console.Error.WriteLine($"  upload: {uploadRows:N0} rows uploaded over HTTP vs placed in landing/, {runs} runs each ...");
    var upload = await UploadRatio.MeasureAsync(benchMesh!, uploadRows, runs);
    results["upload"] = new JsonObject
    {
        ["rows"] = uploadRows, ["runs"] = runs,
        ["upload_median_seconds"] = Math.Round(upload.UploadMedian, 2), ["landing_median_seconds"] = Math.Round(upload.LandingMedian, 2),
        ["ratio"] = Math.Round(upload.Ratio, 2),
        ["upload_seconds"] = new JsonArray(upload.UploadSeconds.Select(x => (JsonNode?)Math.Round(x, 2)).ToArray()),
        ["landing_seconds"] = new JsonArray(upload.LandingSeconds.Select(x => (JsonNode?)Math.Round(x, 2)).ToArray()),
    };
}
}
finally
{
    if (benchMesh is not null)
    {
        Console.Error.WriteLine("  stopping the mesh, dropping its databases and queues ...");
        await benchMesh.DisposeAsync();
    }
}

Directory.CreateDirectory(outDir);
var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss");
var json = results.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
await File.WriteAllTextAsync(Path.Combine(outDir, $"{stamp}-{label}.json"), json);
var md = Markdown(results);
await File.WriteAllTextAsync(Path.Combine(outDir, $"{stamp}-{label}.md"), md);
Console.WriteLine(md);
return 0;

static string Markdown(JsonObject r)
{
    string F(JsonNode? n) => n is null ? "n/a" : n.GetValue<double>().ToString("N0", CultureInfo.InvariantCulture);
    var sb = new StringBuilder();
    sb.AppendLine($"### {r["label"]}: {r["rows"]!.GetValue<long>():N0} rows, batch {r["batch_size"]}, " +
                  $"at most {r["max_batches_ahead"]?.ToString() ?? "(unbounded)"} batches ahead, {r["machine"]}, {r["at"]}");
    sb.AppendLine();
    if (r["runtime_knobs"] is { } knobs) sb.AppendLine($"Experiment: {knobs}").AppendLine();
    if (r["stages_alone"] is not null || r["end_to_end"] is not null)
    {
        sb.AppendLine("| measure | rows/s | note |");
        sb.AppendLine("|---|---:|---|");
    }
    if (r["stages_alone"] is not null)
    {
        sb.AppendLine($"| native: MariaDB LOAD DATA LOCAL INFILE | {F(r["native"]!["mysql_load_data_rows_per_s"])} | raw rows into a text-column scratch table, best of 3 |");
        sb.AppendLine($"| native: PostgreSQL COPY | {F(r["native"]!["postgres_copy_rows_per_s"])} | same |");
        sb.AppendLine($"| stage alone: ingest read | {F(r["stages_alone"]!["ingest_read_rows_per_s"])} | CsvHelper stream into batches |");
        sb.AppendLine($"| stage alone: transform clean | {F(r["stages_alone"]!["transform_clean_rows_per_s"])} | parse, rules, TSV for the writer |");
        sb.AppendLine($"| stage alone: oltp-writer | {F(r["stages_alone"]!["oltp_write_rows_per_s"])} | {r["stages_alone"]!["oltp_write_vs_load_data"]}x LOAD DATA |");
        sb.AppendLine($"| stage alone: olap-sync | {F(r["stages_alone"]!["olap_sync_rows_per_s"])} | MySQL to the star schema; {r["stages_alone"]!["olap_sync_vs_copy"]?.ToString() ?? "n/a"}x COPY |");
        foreach (var (stage, key) in new[] { ("oltp-writer", "oltp_write_cpu_seconds"), ("olap-sync", "olap_sync_cpu_seconds") })
            if (r["stages_alone"]![key] is JsonObject c)
                sb.AppendLine($"| stage alone: {stage}, CPU seconds | | " + string.Join(", ", c.Select(kv => $"{kv.Key} {kv.Value}")) + " |");
    }
    if (r["outbox_latency_ms"] is JsonObject l)
        sb.AppendLine($"| outbox: commit to consume | median {l["median"]} ms | p95 {l["p95"]} ms, max {l["max"]} ms over {l["messages"]} messages, one per transaction |");
    if (r["end_to_end"] is JsonObject e)
    {
        if (e["warmup_seconds"] is { } ws)
            sb.AppendLine($"| mesh: warm-up, not counted | {double.Parse(e["warmup_rows"]!.ToJsonString(), CultureInfo.InvariantCulture) / double.Parse(ws.ToJsonString(), CultureInfo.InvariantCulture):N0} | {e["warmup_rows"]} rows of other dates first, {ws} s |");
        sb.AppendLine($"| mesh: ingest read | {F(e["ingest_rows_per_s"])} | {e["ingest_read_seconds"]} s to read and publish |");
        sb.AppendLine($"| mesh: into MySQL | {F(e["stored_rows_per_s"])} | {e["stored_seconds"]} s to the last batch in MySQL |");
        sb.AppendLine($"| **mesh: end to end** | **{F(e["rows_per_s"])}** | {e["seconds"]} s to the last batch in the star schema; {e["vs_load_data"]?.ToString() ?? "n/a"}x LOAD DATA, " +
                      $"{e["vs_load_data_then_copy"]?.ToString() ?? "n/a"}x LOAD DATA then COPY; stored {e["stored_oltp"]}, synced {e["synced_olap"]}, balanced {e["balanced"]} |");
        sb.AppendLine();
        sb.AppendLine("Peak RSS (VmHWM) per service: " + string.Join(", ", e["peak_rss_mb"]!.AsObject().Select(kv => $"{kv.Key} {kv.Value} MB")));
        if (e["peak_batches_ahead_of_mysql"] is { } ahead)
        {
            sb.AppendLine();
            sb.AppendLine($"Backlog: at most {ahead} batches read and not yet in MySQL; RabbitMQ's RSS peaked at {e["rabbitmq_peak_rss_mb"]} MB (sampled every 100 ms)");
        }
        if (e["cpu_seconds"] is JsonObject cpu)
        {
            sb.AppendLine();
            sb.AppendLine($"CPU seconds during the run ({e["seconds"]} s wall, {Environment.ProcessorCount} cores): " +
                          string.Join(", ", cpu.Select(kv => $"{kv.Key} {kv.Value}")));
        }
    }
    if (r["freshness"] is JsonObject f)
    {
        sb.AppendLine();
        sb.AppendLine($"Freshness: {f["drops"]} files of {f["rows_per_file"]} rows written into incoming/, from the write to the ingestion completed (star schema): " +
                      $"**median {f["median_seconds"]} s, p90 {f["p90_seconds"]} s** (each: {string.Join(", ", f["seconds"]!.AsArray())}; a first file, not counted: {f["warmup_seconds"]} s)");
    }
    if (r["upload"] is JsonObject u)
    {
        sb.AppendLine();
        sb.AppendLine($"Upload: {u["rows"]} rows, from the request to completed, median of {u["runs"]} runs each: uploaded over HTTP {u["upload_median_seconds"]} s " +
                      $"({string.Join(", ", u["upload_seconds"]!.AsArray())}), placed in landing/ {u["landing_median_seconds"]} s ({string.Join(", ", u["landing_seconds"]!.AsArray())}): **ratio {u["ratio"]}x**");
    }
    if (r["dashboard"] is JsonObject d)
    {
        sb.AppendLine();
        sb.AppendLine($"Dashboard: {d["facts"]!.GetValue<long>():N0} facts over {d["days"]} days, {d["stores"]} stores, {d["products"]} products; sales_hourly {d["aggregate_rows"]!.GetValue<long>():N0} rows, " +
                      $"equal to the facts: {d["aggregate_equals_facts"]}. Load: facts {d["load_insert_seconds"]} s, aggregate {d["load_aggregate_seconds"]} s ({d["aggregate_ms_per_10k_batch"]} ms per 10,000-row batch).");
        sb.AppendLine();
        sb.AppendLine($"| view | query | median ms | p90 ms | max ms |");
        sb.AppendLine("|---|---|---:|---:|---:|");
        foreach (var (view, queries) in d["query_ms"]!.AsObject())
            foreach (var (query, t) in queries!.AsObject())
                sb.AppendLine($"| {view} | {query} | {t!["median"]} | {t["p90"]} | {t["max"]} |");
        sb.AppendLine($"| all days, straight from fact_sales (no aggregate) | summary | {d["summary_from_facts_ms"]!["median"]} | {d["summary_from_facts_ms"]!["p90"]} | {d["summary_from_facts_ms"]!["max"]} |");
    }
    if (r["cpu_budget"] is JsonObject budget)
    {
        sb.AppendLine();
        sb.AppendLine(CpuBudget.Describe(budget, (r["end_to_end"] as JsonObject)?["cpu_seconds"] as JsonObject));
    }
    return sb.ToString();
}

static JsonObject Cpu(Dictionary<string, double> seconds) =>
    new(seconds.OrderByDescending(kv => kv.Value).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Math.Round(kv.Value, 1))));

static async Task<double> BestOfAsync(int runs, Func<Task<double>> measure)
{
    var best = 0.0;
    for (var i = 0; i < runs; i++) best = Math.Max(best, await measure());
    return best;
}
