using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>The three URL roots GCS serves: the JSON API, uploads, and media downloads.</summary>
public static class Routes
{
    public static void Map(WebApplication app)
    {
        app.Map("/storage/v1/{**rest}", (HttpContext context, ObjectStore store, EmulatorOptions options) =>
            Responses.GuardAsync(context, () => JsonApiAsync(context, store, options)));
        app.Map("/upload/storage/v1/{**rest}", (HttpContext context, ObjectStore store, UploadSessions sessions, EmulatorOptions options) =>
            Responses.GuardAsync(context, () =>
            {
                var target = RequestTarget.Parse(context, "/upload/storage/v1", "") ?? throw NotFound();
                return UploadEndpoints.HandleAsync(context, target, store, sessions, options);
            }));
        app.Map("/download/storage/v1/{**rest}", (HttpContext context, ObjectStore store) =>
            Responses.GuardAsync(context, () =>
            {
                var target = RequestTarget.Parse(context, "/download/storage/v1", "GET");
                if (target is not { Operation: Operation.Object } || context.Request.Method != "GET") throw NotFound();
                return MediaDownload.SendAsync(context, store, target.Bucket!, target.Name!,
                    Preconditions.Long(context.Request.Query, "generation"), Preconditions.FromQuery(context.Request.Query));
            }));
        app.MapGet("/health", () => Results.Text("ok"));
    }

    private static Task JsonApiAsync(HttpContext context, ObjectStore store, EmulatorOptions options)
    {
        var method = Responses.Method(context.Request);
        var target = RequestTarget.Parse(context, "/storage/v1", method) ?? throw NotFound();
        return target.Operation switch
        {
            Operation.Buckets or Operation.Bucket => BucketEndpoints.HandleAsync(context, target, method, store, options),
            Operation.CopyTo => CopyEndpoints.CopyAsync(context, target, store, options, rewrite: false),
            Operation.RewriteTo => CopyEndpoints.CopyAsync(context, target, store, options, rewrite: true),
            Operation.Compose => CopyEndpoints.ComposeAsync(context, target, store, options),
            _ => ObjectEndpoints.HandleAsync(context, target, method, store, options),
        };
    }

    private static GcsException NotFound() => new(404, "notFound", "Not Found");
}
