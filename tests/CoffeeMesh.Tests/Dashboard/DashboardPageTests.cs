using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CoffeeMesh.Tests.Dashboard;

/// <summary>
/// The sales page in a real browser (headless Chromium) against the whole mesh: what the page shows
/// is what the star schema holds, its charts are drawn, and its filters change them and live in the URL.
/// </summary>
public sealed class DashboardPageTests(MeshFixture mesh) : MeshTests(mesh), IAsyncLifetime
{
    // Dates no other test uses: the mesh's databases are shared by the run.
    private static readonly DateOnly Start = new(2031, 3, 1);
    private const string Period = "from=2031-03-01&to=2031-03-03";
    private const string Charts = "chart-daily,chart-monthly,chart-stores,chart-categories,chart-heatmap,chart-products";

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        (_playwright, _browser) = await Chromium.LaunchAsync(); // first: without a browser, fail before starting a mesh
        await mesh.StartAsync();
        await mesh.App.ResourceNotifications.WaitForResourceHealthyAsync("dashboard");
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    private string Url(string query) => $"{mesh.App.GetEndpoint("dashboard", "http").ToString().TrimEnd('/')}/?{query}";

    /// <summary>Opens the page (or submits its form) and waits until every figure and chart is drawn.</summary>
    private static async Task ReadyAsync(IPage page) =>
        await page.WaitForSelectorAsync("body[data-state=ready], body[data-state=error]", new() { State = WaitForSelectorState.Attached });

    private static async Task AssertReadyAsync(IPage page)
    {
        await ReadyAsync(page);
        Assert.Equal("ready", await page.GetAttributeAsync("body", "data-state") + (await page.Locator("#error").IsVisibleAsync() ? ": " + await page.TextContentAsync("#error") : ""));
    }

    /// <summary>Revenue (exact, two places), transactions and items of the facts of 2031-03-01..03, filtered as the page is.</summary>
    private async Task<(string Revenue, long Transactions, long Items)> StarSchemaAsync(string where = "TRUE")
    {
        var sql = "FROM fact_sales f JOIN dim_store s ON s.store_key = f.store_key JOIN dim_product p ON p.product_key = f.product_key " +
                  $"WHERE f.date_id BETWEEN 20310301 AND 20310303 AND {where}";
        var revenue = await TestDatabases.PostgresScalarAsync<decimal>(mesh.OlapConnectionString, $"SELECT COALESCE(SUM(f.total_amount), 0) {sql}");
        return (revenue.ToString("0.00", CultureInfo.InvariantCulture),
            await mesh.OlapCountAsync($"SELECT COUNT(*) {sql}"), await mesh.OlapCountAsync($"SELECT COALESCE(SUM(f.transaction_qty), 0) {sql}"));
    }

    private static async Task AssertHeadlineAsync(IPage page, (string Revenue, long Transactions, long Items) expected)
    {
        Assert.Equal(expected.Revenue, await page.GetAttributeAsync("#kpi-revenue", "data-value"));
        Assert.Equal(decimal.Parse(expected.Revenue, CultureInfo.InvariantCulture).ToString("N2", CultureInfo.InvariantCulture),
            await page.TextContentAsync("#kpi-revenue .value"));
        Assert.Equal(expected.Transactions.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#kpi-transactions", "data-value"));
        Assert.Equal(expected.Items.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#kpi-items", "data-value"));
    }

    /// <summary>Per chart: a canvas is drawn and its first series has data points.</summary>
    private static async Task<Dictionary<string, int>> ChartPointsAsync(IPage page) =>
        await page.EvaluateAsync<Dictionary<string, int>>(
            """
            (ids) => Object.fromEntries(ids.split(',').map(id => {
              const el = document.getElementById(id), chart = echarts.getInstanceByDom(el);
              const data = chart ? chart.getOption().series[0].data : [];
              return [id, el.querySelector('canvas') && chart ? data.length : -1];
            }))
            """, Charts);

    [Fact]
    public async Task The_page_shows_the_star_schemas_figures_draws_every_chart_and_keeps_its_filters_in_the_url()
    {
        var file = mesh.WriteGeneratedFile("dashboard-page.csv", rows: 3_000, start: Start, seed: 21);
        var status = await mesh.IngestAsync(file);
        Assert.Equal("completed", status["state"]!.GetValue<string>());
        var page = await _browser.NewPageAsync();

        await page.GotoAsync(Url(Period));
        await AssertReadyAsync(page);

        await AssertHeadlineAsync(page, await StarSchemaAsync());
        Assert.All(await ChartPointsAsync(page), c => Assert.True(c.Value > 0, $"{c.Key} drew {c.Value} points"));
        Assert.Equal(3, (await ChartPointsAsync(page))["chart-daily"]);

        // A store: the figures are that store's, and the URL says so.
        var store = await TestDatabases.PostgresScalarAsync<int>(mesh.OlapConnectionString,
            "SELECT MIN(s.store_id) FROM fact_sales f JOIN dim_store s ON s.store_key = f.store_key WHERE f.date_id BETWEEN 20310301 AND 20310303");
        await page.SelectOptionAsync("#store", store.ToString(CultureInfo.InvariantCulture));
        await page.ClickAsync("#filters button[type=submit]");
        await page.WaitForURLAsync(u => u.Contains($"store={store}"));
        await AssertReadyAsync(page);
        var oneStore = await StarSchemaAsync($"s.store_id = {store}");
        await AssertHeadlineAsync(page, oneStore);
        Assert.NotEqual((await StarSchemaAsync()).Revenue, oneStore.Revenue);
        Assert.Equal(1, (await ChartPointsAsync(page))["chart-stores"]);

        // And a category on top.
        await page.SelectOptionAsync("#category", "Coffee");
        await page.ClickAsync("#filters button[type=submit]");
        await page.WaitForURLAsync(u => u.Contains("category=Coffee"));
        await AssertReadyAsync(page);
        await AssertHeadlineAsync(page, await StarSchemaAsync($"s.store_id = {store} AND p.product_category = 'Coffee'"));

        // The URL is the view: opened afresh, it shows the same filters and figures.
        var shared = page.Url;
        var again = await _browser.NewPageAsync();
        await again.GotoAsync(shared);
        await AssertReadyAsync(again);
        Assert.Equal(store.ToString(CultureInfo.InvariantCulture), await again.InputValueAsync("#store"));
        Assert.Equal("Coffee", await again.InputValueAsync("#category"));
        Assert.Equal("2031-03-01", await again.InputValueAsync("#from"));
        await AssertHeadlineAsync(again, await StarSchemaAsync($"s.store_id = {store} AND p.product_category = 'Coffee'"));
    }

    [Fact]
    public async Task The_pipeline_panel_lists_recent_ingestions_and_the_newest_sale()
    {
        var file = mesh.WriteGeneratedFile("dashboard-pipeline.csv", rows: 500, start: new DateOnly(2031, 4, 1), seed: 22);
        var status = await mesh.IngestAsync(file);
        var page = await _browser.NewPageAsync();

        await page.GotoAsync(Url("from=2031-04-01&to=2031-04-03"));
        await AssertReadyAsync(page);

        var rows = await page.Locator("#ingestions tbody tr td:nth-child(2)").AllTextContentsAsync();
        var listed = (await mesh.Ingest.GetFromJsonAsync<List<JsonObject>>("/ingestions?limit=100"))!.Select(i => i["source"]!.GetValue<string>()).ToHashSet();
        Assert.NotEmpty(rows);
        Assert.All(rows, source => Assert.Contains(source, listed));
        Assert.Matches(@"^Newest sale: \d{4}-\d{2}-\d{2}, hour \d{2}; last batch synced .+ UTC; last ingestion completed .+ UTC\.$", await page.TextContentAsync("#freshness"));
        Assert.Equal("completed", status["state"]!.GetValue<string>());
    }
}
