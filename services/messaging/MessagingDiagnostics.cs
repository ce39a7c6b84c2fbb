using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CoffeeMesh.Messaging;

/// <summary>Names ServiceDefaults registers with OpenTelemetry, beside MassTransit's own.</summary>
public static class MessagingDiagnostics
{
    public const string MeterName = "CoffeeMesh";
    public const string ActivitySourceName = "CoffeeMesh";
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
    /// <summary>The one CoffeeMesh meter every instrument of ours is created on.</summary>
    public static readonly Meter Meter = new(MeterName);
}
