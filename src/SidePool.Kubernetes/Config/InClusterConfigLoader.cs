using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SidePool.Kubernetes.Auth;

namespace SidePool.Kubernetes.Config;

/// <summary>
/// The settings of a pod's service account: <c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c>, the projected token (re-read
/// every minute), <c>ca.crt</c>, and the namespace from <c>POD_NAMESPACE</c> or the namespace file.
/// </summary>
public static class InClusterConfigLoader
{
    public static bool IsInCluster(InClusterPaths? paths = null)
    {
        paths ??= new InClusterPaths();
        return !string.IsNullOrEmpty(paths.Environment("KUBERNETES_SERVICE_HOST")) && File.Exists(paths.TokenFile);
    }

    /// <summary>
    /// Why this is not a pod with a service account, naming the variables and the token path looked at (e.g.
    /// <c>not in a cluster: KUBERNETES_SERVICE_HOST is not set and '/var/run/…/token' does not exist</c>); null when it is.
    /// </summary>
    public static string? DescribeAbsence(InClusterPaths? paths = null)
    {
        paths ??= new InClusterPaths();
        if (IsInCluster(paths))
        {
            return null;
        }

        var host = paths.Environment("KUBERNETES_SERVICE_HOST");
        var token = File.Exists(paths.TokenFile) ? $"'{paths.TokenFile}' exists" : $"'{paths.TokenFile}' does not exist";
        return string.IsNullOrEmpty(host)
            ? $"not in a cluster: KUBERNETES_SERVICE_HOST is not set and the service-account token {token}"
            : $"not in a cluster: KUBERNETES_SERVICE_HOST={host} is set but the service-account token {token}";
    }

    public static async Task<KubernetesConnectionSettings> LoadAsync(InClusterPaths? paths = null, CancellationToken cancellationToken = default)
    {
        paths ??= new InClusterPaths();
        var host = paths.Environment("KUBERNETES_SERVICE_HOST");
        var port = paths.Environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubernetesConfigException("Not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set.");
        }

        if (!int.TryParse(port, out var portNumber) || portNumber is <= 0 or > 65535)
        {
            throw new KubernetesConfigException($"KUBERNETES_SERVICE_PORT '{port}' is not a port number.");
        }

        if (!File.Exists(paths.TokenFile))
        {
            throw new KubernetesConfigException($"Service-account token file '{paths.TokenFile}' does not exist.");
        }

        if (!File.Exists(paths.CertificateAuthorityFile))
        {
            throw new KubernetesConfigException($"Service-account CA file '{paths.CertificateAuthorityFile}' does not exist.");
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPem(await File.ReadAllTextAsync(paths.CertificateAuthorityFile, cancellationToken));
        }
        catch (CryptographicException ex)
        {
            throw new KubernetesConfigException($"Service-account CA file '{paths.CertificateAuthorityFile}' is not valid PEM.", ex);
        }

        var ns = paths.Environment("POD_NAMESPACE");
        if (string.IsNullOrEmpty(ns) && File.Exists(paths.NamespaceFile))
        {
            ns = (await File.ReadAllTextAsync(paths.NamespaceFile, cancellationToken)).Trim();
        }

        return new KubernetesConnectionSettings
        {
            Server = BuildServerUri(host, portNumber),
            CertificateAuthorities = authorities,
            Authentication = new TokenFileProvider(paths.TokenFile, paths.TokenRefreshInterval),
            Namespace = string.IsNullOrEmpty(ns) ? "default" : ns,
            Source = "in-cluster",
        };
    }

    /// <summary><c>https://host:port</c>, with an IPv6 literal in brackets.</summary>
    public static Uri BuildServerUri(string host, int port)
    {
        var literal = host.Trim('[', ']');
        var hostPart = IPAddress.TryParse(literal, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{literal}]"
            : host;
        return new Uri($"https://{hostPart}:{port}/");
    }
}
