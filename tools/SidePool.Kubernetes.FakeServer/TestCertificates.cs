using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>Self-signed certificates for running the fake server over https in tests.</summary>
public static class TestCertificates
{
    /// <summary>A self-signed server certificate for <c>127.0.0.1</c> and <c>localhost</c> (it is its own CA).</summary>
    public static X509Certificate2 CreateServerCertificate() => Create("CN=sidepool-fake-apiserver", server: true);

    /// <summary>A self-signed client certificate (for <see cref="FakeApiServerOptions.RequireClientCertificate"/>).</summary>
    public static X509Certificate2 CreateClientCertificate(string commonName = "sidepool-test-user") => Create("CN=" + commonName, server: false);

    private static X509Certificate2 Create(string subject, bool server)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: server, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | (server ? X509KeyUsageFlags.KeyCertSign : 0), critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }

        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
