using CoffeeMesh.Contracts;
using Microsoft.Extensions.Options;
using CoffeeMesh.WarehouseLoader.Warehouse;

namespace CoffeeMesh.WarehouseLoader;

/// <summary>
/// <c>GET /days?from=yyyy-MM-dd&amp;to=yyyy-MM-dd</c>: the warehouse's rows, quantity and amount per day (at most
/// 3,660 days), for reconciliation. <c>POST /days/{day}/reload?bucket=</c>: the repair of a day that disagrees
/// (<see cref="DayReload"/>).
/// </summary>
public static class WarehouseDaysEndpoint
{
    public const int MaxDays = 3660;

    public static void Map(WebApplication app)
    {
        app.MapGet("/days", async (string? from, string? to, IWarehouse warehouse, CancellationToken ct) =>
        {
            if (!DayRange.TryParse(from, to, MaxDays, out var f, out var t, out var problem)) return Results.Problem(problem, statusCode: 400);
            var days = await warehouse.DayTotalsAsync(f, t, ct);
            return Results.Ok(days.Select(d => new { day = d.Day.ToString("yyyy-MM-dd"), rows = d.Rows, quantity = d.Quantity, amount = d.Amount }));
        });
        app.MapPost("/days/{day}/reload", async (string day, string? bucket, DayReload reload, IOptions<WarehouseLoaderOptions> options, CancellationToken ct) =>
        {
            if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", out var d)) return Results.Problem("day must be yyyy-MM-dd", statusCode: 400);
            var b = bucket ?? options.Value.Bucket;
            if (string.IsNullOrWhiteSpace(b) || b.Length > 222) return Results.Problem("bucket is required (or Warehouse:Bucket set)", statusCode: 400);
            var (objects, rows) = await reload.ReloadAsync(b, d, ct);
            return Results.Ok(new { day, objects, rows });
        });
    }
}
