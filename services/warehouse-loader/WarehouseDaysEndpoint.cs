using CoffeeMesh.WarehouseLoader.Warehouse;

namespace CoffeeMesh.WarehouseLoader;

/// <summary>
/// <c>GET /days?from=yyyy-MM-dd&amp;to=yyyy-MM-dd</c>: the warehouse's rows, quantity and amount per day (at most
/// 3,660 days), for reconciliation. <c>POST /days/{day}/forget</c>: drops a day's facts and load records, so that
/// reloading its objects rebuilds it (the repair of a day that disagrees).
/// </summary>
public static class WarehouseDaysEndpoint
{
    public const int MaxDays = 3660;

    public static void Map(WebApplication app)
    {
        app.MapGet("/days", async (string? from, string? to, IWarehouse warehouse, CancellationToken ct) =>
        {
            if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", out var f) || !DateOnly.TryParseExact(to, "yyyy-MM-dd", out var t))
                return Results.Problem("from and to are required, as yyyy-MM-dd", statusCode: 400);
            if (t < f || t.DayNumber - f.DayNumber >= MaxDays) return Results.Problem($"to must be on or after from, at most {MaxDays} days later", statusCode: 400);
            var days = await warehouse.DayTotalsAsync(f, t, ct);
            return Results.Ok(days.Select(d => new { day = d.Day.ToString("yyyy-MM-dd"), rows = d.Rows, quantity = d.Quantity, amount = d.Amount }));
        });
        app.MapPost("/days/{day}/forget", async (string day, IWarehouse warehouse, CancellationToken ct) =>
        {
            if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", out var d)) return Results.Problem("day must be yyyy-MM-dd", statusCode: 400);
            await warehouse.ForgetDayAsync(d, ct);
            return Results.NoContent();
        });
    }
}
