using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace CoffeeMesh.AppHost;

/// <summary>
/// Where the servers come from: containers when a container runtime answers, otherwise the local
/// servers that scripts/infra.sh started (their connection strings in configuration).
/// <c>CoffeeMesh:Infrastructure</c> = auto | containers | local overrides the choice.
/// </summary>
public static class Infrastructure
{
    public static bool UseContainers(IConfiguration configuration)
    {
        var choice = configuration["CoffeeMesh:Infrastructure"] ?? "auto";
        return choice.ToLowerInvariant() switch
        {
            "containers" => true,
            "local" => false,
            _ => ContainerRuntimeAvailable(),
        };
    }

    /// <summary>
    /// In container mode, the image a server runs: <c>CoffeeMesh:Images:NAME</c> when set (a full
    /// reference such as <c>localhost/coffeemesh-rabbitmq:bookworm</c>, which scripts/containers.sh
    /// builds where no registry answers; no tag means latest), else the hosting package's default.
    /// </summary>
    /// <param name="builder">The server's container resource.</param>
    /// <param name="configuration">The AppHost's configuration.</param>
    /// <param name="name">The key under <c>CoffeeMesh:Images</c>: rabbitmq, postgres or mysql.</param>
    /// <returns>The same builder, its image replaced when configured.</returns>
    public static IResourceBuilder<T> WithConfiguredImage<T>(this IResourceBuilder<T> builder, IConfiguration configuration, string name)
        where T : ContainerResource
    {
        if (configuration[$"CoffeeMesh:Images:{name}"] is not { Length: > 0 } reference) return builder;
        var lastSlash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        var (repository, tag) = colon > lastSlash ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
        // A first part with a dot or a port, or "localhost", names a registry (as Docker reads references).
        var first = repository.Split('/')[0];
        var hasRegistry = repository.Contains('/') && (first.Contains('.') || first.Contains(':') || first == "localhost");
        return hasRegistry
            ? builder.WithImageRegistry(first).WithImage(repository[(first.Length + 1)..], tag)
            : builder.WithImageRegistry(null).WithImage(repository, tag);
    }

    private static bool ContainerRuntimeAvailable()
    {
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 }) return true;
        foreach (var socket in new[] { "/var/run/docker.sock", "/run/podman/podman.sock", $"/run/user/{Environment.GetEnvironmentVariable("UID")}/podman/podman.sock" })
        {
            // A socket file left behind by a stopped daemon does not count: try to connect.
            if (!File.Exists(socket)) continue;
            try
            {
                using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                s.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
                return true;
            }
            catch (System.Net.Sockets.SocketException) { }
        }
        return false;
    }
}
