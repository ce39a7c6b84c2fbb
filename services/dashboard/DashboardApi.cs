using System.Globalization;

namespace CoffeeMesh.Dashboard;

/// <summary>
/// The JSON endpoints the page calls. The sales ones take <c>from</c>, <c>to</c> (yyyy-MM-dd,
/// inclusive, at most <see cref="SalesFilter.MaxDays"/> days), optional <c>store</c> and
/// <c>category</c>; any other or malformed parameter answers 400 with a problem body.
/// </summary>
public static class DashboardApi
{
    public const int MaxTop = 50;

    public static WebApplication MapDashboardApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/filters", async (HttpContext http, SalesReports reports, CancellationToken ct) =>
            http.Request.Query.Count > 0 ? Bad("/api/filters takes no parameters") : Results.Json(await reports.ChoicesAsync(ct)));
        api.MapGet("/summary", (HttpContext http, SalesReports r, CancellationToken ct) => Sales(http, f => r.SummaryAsync(f, ct)));
        api.MapGet("/revenue/daily", (HttpContext http, SalesReports r, CancellationToken ct) => Sales(http, f => r.DailyAsync(f, ct)));
        api.MapGet("/revenue/monthly", (HttpContext http, SalesReports r, CancellationToken ct) => Sales(http, f => r.MonthlyAsync(f, ct)));
        api.MapGet("/stores", (HttpContext http, SalesReports r, CancellationToken ct) => Sales(http, f => r.StoresAsync(f, ct)));
        api.MapGet("/categories", (HttpContext http, SalesReports r, CancellationToken ct) => Sales(http, f => r.CategoriesAsync(f, ct)));
        api.MapGet("/heatmap", (HttpContext http, SalesReports r, CancellationToken ct) => Sales(http, f => r.HeatmapAsync(f, ct)));
        api.MapGet("/products/top", (HttpContext http, SalesReports r, CancellationToken ct) =>
        {
            if (!TryLimit(http, "limit", 10, MaxTop, out var limit)) return Task.FromResult(Bad($"'limit' must be 1 to {MaxTop}"));
            return Sales(http, f => r.TopProductsAsync(f, limit, ct), "limit");
        });
        api.MapGet("/pipeline", async (HttpContext http, PipelinePanel panel, CancellationToken ct) =>
        {
            if (http.Request.Query.Keys.Any(k => k != "limit")) return Bad("/api/pipeline takes only 'limit'");
            if (!TryLimit(http, "limit", 10, PipelinePanel.MaxLimit, out var limit)) return Bad($"'limit' must be 1 to {PipelinePanel.MaxLimit}");
            return Results.Json(await panel.LoadAsync(limit, ct));
        });
        return app;
    }

    private static async Task<IResult> Sales<T>(HttpContext http, Func<SalesFilter, Task<T>> report, params string[] extraKeys)
    {
        var (filter, error) = SalesFilter.Parse(http.Request.Query, extraKeys);
        return filter is null ? Bad(error!) : Results.Json(await report(filter));
    }

    private static bool TryLimit(HttpContext http, string key, int fallback, int max, out int limit)
    {
        limit = fallback;
        if (!http.Request.Query.TryGetValue(key, out var text)) return true;
        return text.Count == 1 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max;
    }

    private static IResult Bad(string detail) => Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
}
