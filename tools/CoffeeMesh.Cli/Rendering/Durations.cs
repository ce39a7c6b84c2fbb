using System.Globalization;

namespace CoffeeMesh.Cli.Rendering;

/// <summary>Short human forms of times and durations for tables.</summary>
public static class Durations
{
    /// <summary>4.2s, 3m05s, 1h02m, 2d03h.</summary>
    public static string Short(TimeSpan t) => t switch
    {
        { TotalSeconds: < 0 } => "-",
        { TotalSeconds: < 60 } => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0}s"),
        { TotalHours: < 1 } => $"{(int)t.TotalMinutes}m{t.Seconds:00}s",
        { TotalDays: < 1 } => $"{(int)t.TotalHours}h{t.Minutes:00}m",
        _ => $"{(int)t.TotalDays}d{t.Hours:00}h",
    };

    /// <summary>How long ago: 12s, 5m, 3h, 2d.</summary>
    public static string Age(TimeSpan t) => t switch
    {
        { TotalMinutes: < 2 } => $"{Math.Max(0, (int)t.TotalSeconds)}s",
        { TotalHours: < 2 } => $"{(int)t.TotalMinutes}m",
        { TotalDays: < 2 } => $"{(int)t.TotalHours}h",
        _ => $"{(int)t.TotalDays}d",
    };

    /// <summary>A UTC time as local wall-clock time (HH:mm:ss; with the date when not today).</summary>
    public static string Clock(DateTime? utc)
    {
        if (utc is not { } t) return "-";
        var local = DateTime.SpecifyKind(t, DateTimeKind.Utc).ToLocalTime();
        return local.Date == DateTime.Now.Date ? local.ToString("HH:mm:ss", CultureInfo.InvariantCulture) : local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
    }
}
