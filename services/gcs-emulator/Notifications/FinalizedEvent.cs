using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;

namespace CoffeeMesh.GcsEmulator.Notifications;

/// <summary>
/// The CloudEvent Eventarc sends to Cloud Run when an object is finalized, in binary mode: <c>ce-specversion</c>
/// 1.0, <c>ce-type</c> google.cloud.storage.object.v1.finalized, <c>ce-source</c>
/// //storage.googleapis.com/projects/_/buckets/BUCKET, <c>ce-subject</c> objects/NAME, <c>ce-id</c>,
/// <c>ce-time</c>, the <c>ce-bucket</c> extension, and the object resource as the JSON body.
/// </summary>
public static class FinalizedEvent
{
    public const string Type = "google.cloud.storage.object.v1.finalized";

    private static readonly CloudEventAttribute BucketAttribute = CloudEventAttribute.CreateExtension("bucket", CloudEventAttributeType.String);
    private static readonly JsonEventFormatter Formatter = new();

    /// <summary>The HTTP body and ce-* headers for <paramref name="delivery"/>.</summary>
    public static HttpContent ToHttpContent(PendingDelivery delivery)
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, [BucketAttribute])
        {
            Id = delivery.EventId,
            Type = Type,
            Source = new Uri($"//storage.googleapis.com/projects/_/buckets/{delivery.Bucket}", UriKind.Relative),
            Subject = $"objects/{delivery.ObjectName}",
            Time = delivery.Time,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToUtf8Bytes(delivery.Data),
        };
        cloudEvent[BucketAttribute] = delivery.Bucket;
        return cloudEvent.ToHttpContent(ContentMode.Binary, Formatter);
    }
}
