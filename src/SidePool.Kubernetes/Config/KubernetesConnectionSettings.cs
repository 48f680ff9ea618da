using System.Security.Cryptography.X509Certificates;
using SidePool.Kubernetes.Auth;

namespace SidePool.Kubernetes.Config;

/// <summary>Everything needed to reach one API server: where, how to trust it, who we are, and the default namespace.</summary>
public sealed record KubernetesConnectionSettings
{
    public required Uri Server { get; init; }

    /// <summary>Trusted roots for the server certificate; null = the system store.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The name the server certificate must carry, when it differs from the server URL's host.</summary>
    public string? TlsServerName { get; init; }

    public X509Certificate2? ClientCertificate { get; init; }

    public IAuthenticationProvider? Authentication { get; init; }

    public string Namespace { get; init; } = "default";

    /// <summary>Where these settings came from (context name or "in-cluster"), for messages.</summary>
    public string? Source { get; init; }
}
