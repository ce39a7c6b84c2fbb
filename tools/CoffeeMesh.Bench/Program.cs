using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.Bench;
using MySqlConnector;

// coffeemesh-bench: run by ./coffeemesh bench, which starts the servers and an AppHost first.
string Arg(string name, string? fallback = null) =>
    args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault() ?? fallback ?? throw new ArgumentException($"--{name} is required");

var file = Path.GetFullPath(Arg("file"));
var landing = Path.GetFullPath(Arg("landing"));
var rows = File.ReadLines(file).LongCount() - 1;
var batchSize = int.Parse(Arg("batch-size", "10000"));
var maxBatchesAhead = int.Parse(Arg("max-batches-ahead", "20"));
var oltpBase = Arg("oltp");
var olap = Arg("olap");
var outDir = Arg("out");
var label = Arg("label", Path.GetFileNameWithoutExtension(file));
var skipMesh = args.Contains("--stages-only");
// Experiments on the mesh alone (runtime knobs, settings): skips the floors and the stages.
var meshOnly = args.Contains("--mesh-only");
var scratch = new MySqlConnectionStringBuilder(oltpBase) { Database = "coffee_shop_sales_bench_scratch" }.ConnectionString;
await DropAsync(scratch);
await using (var c = new MySqlConnection(new MySqlConnectionStringBuilder(scratch) { Database = "" }.ConnectionString))
{
    await c.OpenAsync();
    await new MySqlCommand("CREATE DATABASE coffee_shop_sales_bench_scratch", c).ExecuteNonQueryAsync();
}

Console.Error.WriteLine($"bench: {rows:N0} rows ({new FileInfo(file).Length / 1e6:0.0} MB) from {file}");
var results = new JsonObject { ["label"] = label, ["rows"] = rows, ["file"] = file, ["batch_size"] = batchSize, ["max_batches_ahead"] = maxBatchesAhead, ["at"] = DateTime.UtcNow.ToString("O"),
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
    await DropPostgresAsync(olapScratch);
    var (sync, syncCpu) = await StageBenchmarks.SyncAsync(storedBatches, scratch, olapScratch,
        new CoffeeMesh.OlapSync.SalesBatchStoredConsumerDefinition().ConcurrentMessageLimit ?? 1);
    await DropPostgresAsync(olapScratch);
    Console.Error.WriteLine("  outbox: commit-to-consume latency ...");
    var latencyDb = new MySqlConnectionStringBuilder(oltpBase) { Database = "coffee_shop_sales_bench_outbox" }.ConnectionString;
    await DropAsync(latencyDb);
    var latency = await OutboxLatency.MeasureAsync(latencyDb);
    await DropAsync(latencyDb);

    results["native"] = new JsonObject { ["mysql_load_data_rows_per_s"] = Math.Round(mysqlFloor), ["postgres_copy_rows_per_s"] = pgFloor is null ? null : Math.Round(pgFloor.Value) };
    results["stages_alone"] = new JsonObject
    {
        ["ingest_read_rows_per_s"] = Math.Round(read), ["transform_clean_rows_per_s"] = Math.Round(clean), ["oltp_write_rows_per_s"] = Math.Round(write),
        ["oltp_write_vs_load_data"] = Math.Round(write / mysqlFloor, 2),
        ["olap_sync_rows_per_s"] = Math.Round(sync),
        ["olap_sync_vs_copy"] = pgFloor is null ? null : Math.Round(sync / pgFloor.Value, 2),
        ["oltp_write_cpu_seconds"] = Cpu(writeCpu),
        ["olap_sync_cpu_seconds"] = Cpu(syncCpu),
    };
    results["outbox_latency_ms"] = new JsonObject
    {
        ["messages"] = latency.Messages, ["median"] = Math.Round(latency.MedianMs, 1), ["p95"] = Math.Round(latency.P95Ms, 1), ["max"] = Math.Round(latency.MaxMs, 1),
    };
    results["cpu_budget"] = CpuBudget.Of(rows, mysqlFloor, cleanSpent, writeCpu, syncCpu, loadSpent, pgFloor is null ? null : copySpent, floorRuns);
}

await DropAsync(scratch);

if (!skipMesh)
{
    Console.Error.WriteLine("  end to end through the mesh ...");
    var source = Path.Combine("bench", Path.GetFileName(file));
    Directory.CreateDirectory(Path.Combine(landing, "bench"));
    var target = Path.Combine(landing, source);
    if (!File.Exists(target) || new FileInfo(target).Length != new FileInfo(file).Length) File.Copy(file, target, overwrite: true);
    using var http = new HttpClient { BaseAddress = new Uri(Arg("ingest-url", "http://127.0.0.1:5380")), Timeout = TimeSpan.FromMinutes(5) };
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
    sb.AppendLine("| measure | rows/s | note |");
    sb.AppendLine("|---|---:|---|");
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

// Our own sessions on it are ended by hand; DROP then cancels an autovacuum worker itself
// (WITH (FORCE) would refuse to run while such a superuser session is there).
static async Task DropPostgresAsync(string cs)
{
    var csb = new Npgsql.NpgsqlConnectionStringBuilder(cs);
    var db = csb.Database!;
    csb.Database = "postgres";
    await using var c = new Npgsql.NpgsqlConnection(csb.ConnectionString);
    await c.OpenAsync();
    var end = new Npgsql.NpgsqlCommand(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @d AND usename = current_user AND pid <> pg_backend_pid()", c);
    end.Parameters.AddWithValue("d", db);
    await end.ExecuteNonQueryAsync();
    await new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{db}\"", c).ExecuteNonQueryAsync();
}

static async Task DropAsync(string cs)
{
    var csb = new MySqlConnectionStringBuilder(cs);
    var db = csb.Database;
    csb.Database = "";
    await using var c = new MySqlConnection(csb.ConnectionString);
    await c.OpenAsync();
    await new MySqlCommand($"DROP DATABASE IF EXISTS `{db}`", c).ExecuteNonQueryAsync();
}
