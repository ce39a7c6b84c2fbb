using System.Globalization;
using System.Text.Json.Nodes;

namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>
/// Read queries through jobs.query (standard SQL, named parameters), then jobs.getQueryResults with the job's
/// location while the job is not complete and for further pages. Values come back as BigQuery's JSON
/// strings: numbers and dates as text, timestamps as microseconds (useInt64Timestamp).
/// </summary>
internal sealed class BigQueryQueries(BigQueryRest rest, BigQueryOptions options, TimeProvider time)
{
    /// <summary>Pages followed at most: every read here returns a few thousand rows at most.</summary>
    private const int MaxPages = 100;

    private string Project => Uri.EscapeDataString(options.ProjectId);

    /// <summary>Runs <paramref name="sql"/> and returns every row as its cells' text (null for SQL NULL).</summary>
    /// <exception cref="BigQueryException">The query failed or did not complete within <see cref="BigQueryOptions.JobTimeout"/>.</exception>
    public async Task<IReadOnlyList<string?[]>> ReadAsync(string sql, IEnumerable<QueryParameter> parameters, CancellationToken ct)
    {
        var request = new JsonObject
        {
            ["query"] = sql,
            ["useLegacySql"] = false,
            ["parameterMode"] = "NAMED",
            ["queryParameters"] = QueryParameter.ToJson(parameters),
            ["location"] = options.Location,
            ["timeoutMs"] = 10_000,
            // The same requestId on a retried POST makes BigQuery answer with the first attempt's job.
            ["requestId"] = Guid.NewGuid().ToString("D"),
            ["formatOptions"] = new JsonObject { ["useInt64Timestamp"] = true },
        };
        var answer = await rest.PostAsync($"projects/{Project}/queries", request, ct);
        if (!answer.IsSuccess || answer.Body is null) throw answer.Failure("jobs.query");
        var page = answer.Body;
        var jobId = page["jobReference"]?["jobId"]?.GetValue<string>();
        var rows = new List<string?[]>();
        var deadline = time.GetUtcNow() + options.JobTimeout;
        for (var pages = 0; ; )
        {
            if (page["jobComplete"]?.GetValue<bool>() == true)
            {
                foreach (var row in page["rows"]?.AsArray() ?? [])
                    rows.Add(row!["f"]!.AsArray().Select(cell => cell?["v"] is JsonValue v ? v.GetValue<string>() : null).ToArray());
                var token = page["pageToken"]?.GetValue<string>();
                if (token is null) return rows;
                if (++pages >= MaxPages) throw new BigQueryException($"query job {jobId} returned more than {MaxPages} pages", jobId: jobId);
                page = await ResultsAsync(jobId, $"&pageToken={Uri.EscapeDataString(token)}", ct);
            }
            else
            {
                if (time.GetUtcNow() >= deadline) throw new BigQueryException($"query job {jobId} not complete after {options.JobTimeout}", jobId: jobId);
                await Task.Delay(options.PollInterval, time, ct);
                page = await ResultsAsync(jobId, "", ct);
            }
        }
    }

    private async Task<JsonNode> ResultsAsync(string? jobId, string query, CancellationToken ct)
    {
        if (jobId is null) throw new BigQueryException("jobs.query answered an incomplete query without a jobReference");
        var path = $"projects/{Project}/queries/{Uri.EscapeDataString(jobId)}?location={Uri.EscapeDataString(options.Location)}"
            + $"&timeoutMs=10000&formatOptions.useInt64Timestamp=true{query}";
        var answer = await rest.GetAsync(path, ct);
        if (!answer.IsSuccess || answer.Body is null) throw answer.Failure("jobs.getQueryResults", jobId);
        return answer.Body;
    }

    public static long Int64(string? cell) => long.Parse(cell ?? throw new InvalidDataException("unexpected NULL"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public static decimal Numeric(string? cell) => cell is null ? 0m : decimal.Parse(cell, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);

    /// <summary>A TIMESTAMP read with useInt64Timestamp: microseconds since the Unix epoch.</summary>
    public static DateTimeOffset Timestamp(string? cell) => DateTimeOffset.UnixEpoch.AddTicks(Int64(cell) * 10);

    public static DateOnly Date(string? cell) => DateOnly.ParseExact(cell ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
