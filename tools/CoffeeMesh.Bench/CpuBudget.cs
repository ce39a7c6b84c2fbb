using System.Globalization;
using System.Text.Json.Nodes;

namespace CoffeeMesh.Bench;

/// <summary>
/// How fast any mesh could be on this machine: the CPU seconds the stages' own work takes when each
/// runs alone, with no bus (reading and cleaning the file, writing MySQL, syncing PostgreSQL, the
/// databases' share included), spread perfectly over every core. A target above that rate cannot be
/// reached by overlapping or tuning the services; only by making the work itself cheaper.
/// </summary>
public static class CpuBudget
{
    public static JsonObject Of(long rows, double loadDataRowsPerSecond, Dictionary<string, double> readAndClean, Dictionary<string, double> write,
        Dictionary<string, double> sync, Dictionary<string, double> loadDataRuns, Dictionary<string, double>? copyRuns, int floorRuns)
    {
        // The databases and this process only: a service idling nearby is not the stage's work.
        double Sum(Dictionary<string, double> d) => d.Where(kv => kv.Key is "bench" or "mariadbd" or "postgres").Sum(kv => kv.Value);
        var work = Sum(readAndClean) + Sum(write) + Sum(sync);
        var cores = Environment.ProcessorCount;
        var best = work / cores;
        return new JsonObject
        {
            ["read_and_clean"] = Math.Round(Sum(readAndClean), 1),
            ["write"] = Math.Round(Sum(write), 1),
            ["sync"] = Math.Round(Sum(sync), 1),
            ["work"] = Math.Round(work, 1),
            ["databases_share"] = Math.Round(Database(write) + Database(sync), 1),
            ["cores"] = cores,
            ["best_seconds"] = Math.Round(best, 2),
            ["best_rows_per_s"] = Math.Round(rows / best),
            ["best_vs_load_data"] = Math.Round(rows / best / loadDataRowsPerSecond, 2),
            ["target_seconds_at_0_75x_load_data"] = Math.Round(rows / (0.75 * loadDataRowsPerSecond), 2),
            // The floors' own cost, per load: what the databases spend just to take the rows.
            ["load_data_mariadbd"] = Math.Round(loadDataRuns.GetValueOrDefault("mariadbd") / floorRuns, 1),
            ["copy_postgres"] = copyRuns is null ? null : Math.Round(copyRuns.GetValueOrDefault("postgres") / floorRuns, 1),
        };
    }

    public static string Describe(JsonObject b, JsonObject? meshCpu)
    {
        string N(string key) => b[key]!.GetValue<double>().ToString("0.##", CultureInfo.InvariantCulture);
        var text = $"CPU budget: the stages' own work, each alone and with no bus, took {N("work")} CPU s " +
                   $"(read and clean {N("read_and_clean")}, write to MySQL {N("write")}, sync to PostgreSQL {N("sync")}; the databases {N("databases_share")} of it). " +
                   $"On {b["cores"]} cores no mesh doing that work finishes in under {N("best_seconds")} s: at most {b["best_rows_per_s"]!.GetValue<double>():N0} rows/s, " +
                   $"{N("best_vs_load_data")}x LOAD DATA (0.75x would need {N("target_seconds_at_0_75x_load_data")} s). " +
                   $"The floors themselves: LOAD DATA {N("load_data_mariadbd")} CPU s of mariadbd a load" +
                   (b["copy_postgres"] is null ? "." : $", COPY {N("copy_postgres")} of postgres.");
        if (meshCpu is not null)
        {
            var total = meshCpu.Sum(kv => kv.Value!.GetValue<double>());
            text += $" The mesh used {total.ToString("0.#", CultureInfo.InvariantCulture)} CPU s in all: " +
                    $"{(total - b["work"]!.GetValue<double>()).ToString("0.#", CultureInfo.InvariantCulture)} more than the work alone (the bus, message bodies, relays, polling, JIT, and Aspire's dcp and dashboard when the mesh runs under Aspire).";
        }
        return text;
    }

    private static double Database(Dictionary<string, double> cpu) => cpu.GetValueOrDefault("mariadbd") + cpu.GetValueOrDefault("postgres");
}
