using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SidePool.Operator.Certificates;

/// <summary>
/// Pure certificate issuance (no I/O): an ECDSA P-256 CA and serving certificates signed by it. Not-before is set
/// five minutes back for clock skew between the operator and API servers.
/// </summary>
public static class SelfSignedIssuer
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    /// <summary>A new CA certificate (PEM) and its key (PKCS#8 PEM).</summary>
    public static (string CertificatePem, string KeyPem) CreateCa(string commonName, DateTimeOffset now, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var certificate = request.CreateSelfSigned(now - Skew, now + validity);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A serving certificate for <paramref name="dnsNames"/> (the first is the subject), signed by the CA.</summary>
    public static (string CertificatePem, string KeyPem) CreateServing(string caCertificatePem, string caKeyPem, IReadOnlyList<string> dnsNames, DateTimeOffset now, TimeSpan validity)
    {
        using var ca = X509Certificate2.CreateFromPem(caCertificatePem, caKeyPem);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={dnsNames[0]}"), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            names.AddDnsName(name);
        }

        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var notAfter = now + validity;
        if (notAfter > ca.NotAfter)
        {
            notAfter = ca.NotAfter;
        }

        using var certificate = request.Create(ca, now - Skew, notAfter, RandomNumberGenerator.GetBytes(16));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>True when <paramref name="certificate"/> has used up <paramref name="fraction"/> of its lifetime (or is not valid yet).</summary>
    public static bool NeedsRenewal(X509Certificate2 certificate, DateTimeOffset now, double fraction)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return now < notBefore || now >= notBefore + ((notAfter - notBefore) * fraction);
    }
}
