using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SidePool.Kubernetes.Runtime.Tests.Support;

/// <summary>A throwaway CA and certificates it signs, made in memory.</summary>
public sealed class TestCertificates
{
    private TestCertificates(X509Certificate2 authority, ECDsa authorityKey)
    {
        Authority = authority;
        AuthorityKey = authorityKey;
    }

    public X509Certificate2 Authority { get; }

    private ECDsa AuthorityKey { get; }

    public string AuthorityPem => Authority.ExportCertificatePem();

    public static TestCertificates CreateAuthority(string name = "SidePool Test CA")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return new TestCertificates(certificate, key);
    }

    /// <summary>A server certificate for the given DNS names (plus 127.0.0.1), loadable by SslStream.</summary>
    public X509Certificate2 IssueServer(params string[] dnsNames) => Issue("CN=" + dnsNames[0], server: true, dnsNames);

    /// <summary>A client certificate and its PEM forms.</summary>
    public (X509Certificate2 Certificate, string CertificatePem, string KeyPem) IssueClient(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var signed = request.Create(Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), RandomSerial());
        using var withKey = signed.CopyWithPrivateKey(key);
        return (X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null), withKey.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private X509Certificate2 Issue(string subject, bool server, string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        using var signed = request.Create(Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), RandomSerial());
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static byte[] RandomSerial() => RandomNumberGenerator.GetBytes(12);
}
