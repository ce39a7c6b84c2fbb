namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>
/// A request GCS would refuse: carries the HTTP status, the error reason (<c>notFound</c>, <c>conflict</c>,
/// <c>conditionNotMet</c>, <c>invalid</c>, <c>required</c>...) and the message, and is written as GCS's JSON
/// error body by <see cref="GcsErrors"/>.
/// </summary>
public sealed class GcsException(int status, string reason, string message) : Exception(message)
{
    /// <summary>HTTP status code.</summary>
    public int Status { get; } = status;

    /// <summary>GCS's error reason, e.g. <c>conditionNotMet</c>.</summary>
    public string Reason { get; } = reason;

    /// <summary>Extra response headers (e.g. <c>Content-Range</c> on a 416).</summary>
    public Dictionary<string, string> Headers { get; } = new();

    public static GcsException NoSuchBucket(string bucket) =>
        new(404, "notFound", "The specified bucket does not exist.");

    public static GcsException NoSuchObject(string bucket, string name) =>
        new(404, "notFound", $"No such object: {bucket}/{name}");

    public static GcsException ConditionNotMet() =>
        new(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");

    public static GcsException Invalid(string message) => new(400, "invalid", message);

    public static GcsException Required(string what) => new(400, "required", $"Required {what}");
}
