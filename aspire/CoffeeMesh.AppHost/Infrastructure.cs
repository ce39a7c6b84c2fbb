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
