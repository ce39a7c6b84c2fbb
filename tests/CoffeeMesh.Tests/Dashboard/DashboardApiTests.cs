using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.Dashboard;

/// <summary>The dashboard's JSON API against the whole mesh: exact figures, and every parameter checked.</summary>
public sealed class DashboardApiTests(MeshFixture mesh) : MeshTests(mesh), IAsyncLifetime
{
    private HttpClient _api = null!;

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await mesh.StartAsync();
        await mesh.App.ResourceNotifications.WaitForResourceHealthyAsync("dashboard");
        _api = mesh.App.CreateHttpClient("dashboard", "http");
    }

    ValueTask IAsyncDisposable.DisposeAsync()
    {
        _api?.Dispose();
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("/api/summary", "'from' is required")]
    [InlineData("/api/summary?from=2031-05-01", "'to' is required")]
    [InlineData("/api/summary?from=2031-5-1&to=2031-05-02", "'from' is required, as yyyy-MM-dd")]
    [InlineData("/api/summary?from=2031-05-03&to=2031-05-02", "'from' must not be after 'to'")]
    [InlineData("/api/revenue/daily?from=2029-01-01&to=2031-01-02", "at most 731 days")]
    [InlineData("/api/stores?from=2031-05-01&to=2031-05-02&store=-1", "'store' must be a store id")]
    [InlineData("/api/stores?from=2031-05-01&to=2031-05-02&store=1e3", "'store' must be a store id")]
    [InlineData("/api/categories?from=2031-05-01&to=2031-05-02&category=", "'category' must be 1 to 100")]
    [InlineData("/api/heatmap?from=2031-05-01&to=2031-05-02&from=2031-05-01", "'from' must be given once")]
    [InlineData("/api/revenue/monthly?from=2031-05-01&to=2031-05-02&shop=3", "unknown parameter 'shop'")]
    [InlineData("/api/products/top?from=2031-05-01&to=2031-05-02&limit=0", "'limit' must be 1 to 50")]
    [InlineData("/api/products/top?from=2031-05-01&to=2031-05-02&limit=51", "'limit' must be 1 to 50")]
    [InlineData("/api/pipeline?limit=101", "'limit' must be 1 to 100")]
    [InlineData("/api/pipeline?from=2031-05-01", "takes only 'limit'")]
    [InlineData("/api/filters?x=1", "takes no parameters")]
    public async Task A_bad_parameter_is_refused_with_400_and_a_problem_naming_it(string path, string detail)
    {
        var response = await _api.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains(detail, problem!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_category_longer_than_100_characters_is_refused()
    {
        var response = await _api.GetAsync($"/api/summary?from=2031-05-01&to=2031-05-02&category={new string('x', 101)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_summary_equals_the_facts_to_the_cent_against_the_previous_period_of_equal_length()
    {
        // Two periods of two days each, 2031-05-01..02 and the one before, 2031-04-29..30: no other test's dates.
        await mesh.IngestAsync(mesh.WriteGeneratedFile("dashboard-summary.csv", rows: 2_000, start: new DateOnly(2031, 4, 29), seed: 23));
        async Task<(decimal Revenue, long Transactions, long Items)> Facts(int from, int to) => (
            await TestDatabases.PostgresScalarAsync<decimal>(mesh.OlapConnectionString, $"SELECT COALESCE(SUM(total_amount), 0) FROM fact_sales WHERE date_id BETWEEN {from} AND {to}"),
            await mesh.OlapCountAsync($"SELECT COUNT(*) FROM fact_sales WHERE date_id BETWEEN {from} AND {to}"),
            await mesh.OlapCountAsync($"SELECT COALESCE(SUM(transaction_qty), 0) FROM fact_sales WHERE date_id BETWEEN {from} AND {to}"));
        var current = await Facts(20310501, 20310502);
        var previous = await Facts(20310429, 20310430);

        var summary = (await _api.GetFromJsonAsync<JsonObject>("/api/summary?from=2031-05-01&to=2031-05-02"))!;

        Assert.Equal("2031-04-29", summary["previous_from"]!.GetValue<string>());
        Assert.Equal("2031-04-30", summary["previous_to"]!.GetValue<string>());
        Assert.Equal(current.Revenue, summary["current"]!["revenue"]!.GetValue<decimal>());
        Assert.Equal(current.Transactions, summary["current"]!["transactions"]!.GetValue<long>());
        Assert.Equal(current.Items, summary["current"]!["items"]!.GetValue<long>());
        Assert.Equal(Math.Round(current.Revenue / current.Transactions, 2, MidpointRounding.AwayFromZero), summary["current"]!["average_ticket"]!.GetValue<decimal>());
        Assert.Equal(previous.Revenue, summary["previous"]!["revenue"]!.GetValue<decimal>());
        Assert.Equal(previous.Transactions, summary["previous"]!["transactions"]!.GetValue<long>());
        Assert.True(current.Transactions > 0 && previous.Transactions > 0);
        // The breakdowns add up to the same revenue.
        var days = (await _api.GetFromJsonAsync<List<JsonObject>>("/api/revenue/daily?from=2031-05-01&to=2031-05-02"))!;
        Assert.Equal(current.Revenue, days.Sum(d => d["revenue"]!.GetValue<decimal>()));
        var stores = (await _api.GetFromJsonAsync<List<JsonObject>>("/api/stores?from=2031-05-01&to=2031-05-02"))!;
        Assert.Equal(current.Revenue, stores.Sum(d => d["revenue"]!.GetValue<decimal>()));
        var cells = (await _api.GetFromJsonAsync<List<JsonObject>>("/api/heatmap?from=2031-05-01&to=2031-05-02"))!;
        Assert.Equal(current.Revenue, cells.Sum(d => d["revenue"]!.GetValue<decimal>()));
    }

    [Fact]
    public async Task The_pipeline_lists_an_ingestion_with_its_rows_and_quarantine_reasons()
    {
        var status = await mesh.IngestAsync(mesh.WriteGeneratedFile("dashboard-ledger.csv", rows: 2_000, start: new DateOnly(2031, 6, 1), seed: 24));
        var id = status["ingestion_id"]!.GetValue<Guid>();

        var pipeline = (await _api.GetFromJsonAsync<JsonObject>("/api/pipeline?limit=100"))!;

        Assert.Null(pipeline["ingest_error"]);
        var listed = pipeline["ingestions"]!.AsArray().Single(i => i!["ingestion_id"]!.GetValue<Guid>() == id)!;
        Assert.Equal("completed", listed["state"]!.GetValue<string>());
        Assert.Equal(2_000, listed["rows_read"]!.GetValue<long>());
        Assert.Equal(status["quarantined"]!.GetValue<long>(), listed["quarantined"]!.GetValue<long>());
        Assert.Equal(status["quarantined_by_reason"]!.ToJsonString(), listed["quarantined_by_reason"]!.ToJsonString());
        Assert.NotNull(pipeline["newest_sale_date"]);
        Assert.NotNull(pipeline["last_synced_at"]);
        Assert.NotNull(pipeline["last_completed_at"]);
    }
}
