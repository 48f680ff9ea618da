using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using SidePool.Kubernetes.Config;

namespace SidePool.Kubernetes.Client;

/// <summary>
/// Builds the HTTP handler for one API server: trusts only the configured CA (when given) and checks the certificate
/// name against <c>tls-server-name</c> (or the URL host); presents the client certificate; gzip.
/// </summary>
public static class KubernetesHttpHandlerFactory
{
    public static SocketsHttpHandler Create(KubernetesConnectionSettings settings)
    {
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.GZip,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
        };

        if (settings.ClientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { settings.ClientCertificate };
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => settings.ClientCertificate;
        }

        var expectedName = settings.TlsServerName ?? settings.Server.IdnHost;
        var authorities = settings.CertificateAuthorities;
        var insecure = settings.InsecureSkipTlsVerify;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            insecure || ValidateServerCertificate(certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())), errors, authorities, expectedName, settings.TlsServerName is not null);
        return handler;
    }

    /// <summary>Chain to the configured CA (or the system store) and a name match.</summary>
    public static bool ValidateServerCertificate(X509Certificate2? certificate, SslPolicyErrors errors, X509Certificate2Collection? authorities, string expectedName, bool nameOverridden)
    {
        if (certificate is null)
        {
            return false;
        }

        if (authorities is null || authorities.Count == 0)
        {
            var remaining = nameOverridden ? errors & ~SslPolicyErrors.RemoteCertificateNameMismatch : errors;
            return remaining == SslPolicyErrors.None && (!nameOverridden || certificate.MatchesHostname(expectedName));
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (!chain.Build(certificate))
        {
            return false;
        }

        return certificate.MatchesHostname(expectedName);
    }
}
