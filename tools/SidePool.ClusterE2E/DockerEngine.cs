using DotNet.Testcontainers.Configurations;

namespace SidePool.ClusterE2E;

/// <summary>
/// Whether a Docker engine answers, as Testcontainers finds one (its auto-discovery: DOCKER_HOST,
/// ~/.testcontainers.properties, the default socket, the rootless ones), with one rule on top: a DOCKER_HOST that is
/// set is the engine meant, as for the docker CLI, so Testcontainers falling back to another socket does not count.
/// Looking costs no more than a ping of a socket: nothing is pulled or started.
/// </summary>
internal static class DockerEngine
{
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    /// <summary>Null when an engine answers; else why not, naming the endpoint (e.g. "unix:///var/run/docker.sock: no such socket").</summary>
    public static string? Unavailable()
    {
        var found = TestcontainersSettings.OS.DockerEndpointAuthConfig?.Endpoint;
        var wanted = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : null;
        if (found is not null && (wanted is null || (Uri.TryCreate(wanted, UriKind.Absolute, out var uri) && uri == found)))
        {
            return null;
        }

        var endpoint = wanted ?? DefaultSocket;
        return $"{endpoint}: {Why(endpoint)}";
    }

    private static string Why(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme == "unix"
            ? File.Exists(uri.AbsolutePath) || Directory.Exists(uri.AbsolutePath) ? "does not answer" : "no such socket"
            : "does not answer";
}
