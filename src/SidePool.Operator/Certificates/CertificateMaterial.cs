using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SidePool.Operator.Certificates;

/// <summary>
/// PEM texts of the webhook's certificates. <see cref="CaBundlePem"/> is what API servers must trust (the current CA,
/// plus the previous one while it is still valid, so replicas that still serve the old certificate stay trusted).
/// <see cref="CaKeyPem"/> is only known in self-signed mode. <see cref="ToString"/> never prints keys.
/// </summary>
public sealed record CertificateMaterial(string CertificatePem, string KeyPem, string? CaBundlePem, string? CaCertificatePem = null, string? CaKeyPem = null)
{
    public const string CertificateKey = "tls.crt";
    public const string KeyKey = "tls.key";
    public const string CaBundleKey = "ca.crt";
    public const string CaCertificateKey = "ca-cert.pem";
    public const string CaKeyKey = "ca-key.pem";

    /// <summary>The serving certificate with its private key (for Kestrel).</summary>
    public X509Certificate2 LoadServing() => X509Certificate2.CreateFromPem(CertificatePem, KeyPem);

    public static X509Certificate2 LoadCertificate(string pem) => X509Certificate2.CreateFromPem(pem);

    /// <summary>The Secret data (self-signed mode).</summary>
    public IReadOnlyDictionary<string, byte[]> ToSecretData()
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [CertificateKey] = Encoding.UTF8.GetBytes(CertificatePem),
            [KeyKey] = Encoding.UTF8.GetBytes(KeyPem),
        };
        Put(data, CaBundleKey, CaBundlePem);
        Put(data, CaCertificateKey, CaCertificatePem);
        Put(data, CaKeyKey, CaKeyPem);
        return data;
    }

    /// <summary>Reads Secret data or files; null when the serving certificate or key is missing.</summary>
    public static CertificateMaterial? FromData(IReadOnlyDictionary<string, byte[]> data)
    {
        string? Get(string key) => data.TryGetValue(key, out var bytes) && bytes.Length > 0 ? Encoding.UTF8.GetString(bytes) : null;
        var certificate = Get(CertificateKey);
        var key = Get(KeyKey);
        return certificate is null || key is null ? null : new CertificateMaterial(certificate, key, Get(CaBundleKey), Get(CaCertificateKey), Get(CaKeyKey));
    }

    public override string ToString() => $"CertificateMaterial {{ Certificate = set, Key = ***, CaBundle = {(CaBundlePem is null ? "none" : "set")}, CaKey = {(CaKeyPem is null ? "none" : "***")} }}";

    private static void Put(Dictionary<string, byte[]> data, string key, string? value)
    {
        if (value is not null)
        {
            data[key] = Encoding.UTF8.GetBytes(value);
        }
    }
}
