namespace CoffeeMesh.Dashboard;

// The JSON the page reads (snake_case). Revenue and average ticket: decimal, in the facts' currency,
// exact to the cent. Transactions: facts (sales lines). Items: units sold (transaction_qty).

/// <summary>One period's headline figures; <see cref="AverageTicket"/> is revenue / transactions rounded to the cent, null with no transaction.</summary>
public sealed record Figures(decimal Revenue, long Transactions, long Items, decimal? AverageTicket)
{
    public static Figures Of(decimal revenue, long transactions, long items) =>
        new(revenue, transactions, items, transactions == 0 ? null : Math.Round(revenue / transactions, 2, MidpointRounding.AwayFromZero));
}

/// <summary>The period (dates inclusive, yyyy-MM-dd) against the previous period of equal length.</summary>
public sealed record Summary(DateOnly From, DateOnly To, DateOnly PreviousFrom, DateOnly PreviousTo, Figures Current, Figures Previous);

public sealed record DayRevenue(string Date, decimal Revenue, long Transactions);

public sealed record MonthRevenue(string Month, decimal Revenue, long Transactions);

public sealed record StoreRevenue(int StoreId, string StoreLocation, decimal Revenue, long Transactions, long Items);

public sealed record CategoryRevenue(string Category, string ProductType, decimal Revenue, long Items);

/// <summary>Weekday: ISO, 1 = Monday to 7 = Sunday; hour: 0-23.</summary>
public sealed record HeatCell(int Weekday, int Hour, decimal Revenue, long Transactions);

public sealed record ProductRevenue(int ProductId, string ProductDetail, string Category, string ProductType, decimal Revenue, long Items);

/// <summary>A store id and its names as sold (several when it was renamed, joined by " / ").</summary>
public sealed record StoreChoice(int StoreId, string StoreLocation);

/// <summary>Dates with sales (null when there is none yet), the longest period a query takes, stores and categories.</summary>
public sealed record FilterChoices(string? FirstDate, string? LastDate, int MaxDays, IReadOnlyList<StoreChoice> Stores, IReadOnlyList<string> Categories);
