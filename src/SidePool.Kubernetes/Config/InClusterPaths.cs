namespace SidePool.Kubernetes.Config;

/// <summary>Where the in-cluster settings live; injectable so tests can point elsewhere.</summary>
public sealed record InClusterPaths
{
    public string TokenFile { get; init; } = "/var/run/secrets/kubernetes.io/serviceaccount/token";
    public string CertificateAuthorityFile { get; init; } = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
    public string NamespaceFile { get; init; } = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /// <summary>Reads an environment variable; defaults to the process environment.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>How often the projected token is re-read.</summary>
    public TimeSpan TokenRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);
}
