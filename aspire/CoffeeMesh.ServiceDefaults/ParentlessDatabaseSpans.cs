using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Drops database spans that belong to no trace: the outbox's polling, housekeeping, health checks
/// and gauges query the database every second or so outside any request or message, and each such
/// query would be a trace of its own, burying the ingestions' traces in the dashboard (its trace
/// count is bounded). A database span inside a trace (a consumer's, a request's) is kept.
/// </summary>
public sealed class ParentlessDatabaseSpans : BaseProcessor<Activity>
{
    /// <summary>The ActivitySource names of our database clients.</summary>
    public static readonly string[] Sources = ["MySqlConnector", "Npgsql"];

    public override void OnStart(Activity activity)
    {
        if (activity.Parent is null && activity.ParentSpanId == default && Array.IndexOf(Sources, activity.Source.Name) >= 0)
        {
            // Not recorded: the export processor skips it, and nothing more is collected for it.
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            activity.IsAllDataRequested = false;
        }
    }
}
