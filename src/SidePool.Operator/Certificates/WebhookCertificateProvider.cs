using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace SidePool.Operator.Certificates;

/// <summary>
/// The webhook's current serving certificate. Plug <see cref="ServerCertificateSelector"/> into Kestrel's
/// <c>HttpsConnectionAdapterOptions.ServerCertificateSelector</c>: every new TLS connection gets the current
/// certificate, so renewals apply without a restart. <see cref="RefreshAsync"/> (run periodically by
/// <see cref="CertificateRenewalService"/>) loads, renews (self-signed) or re-reads files.
/// </summary>
public sealed partial class WebhookCertificateProvider(
    CertificateOptions options,
    ICertificateStore? store,
    TimeProvider time,
    ILogger<WebhookCertificateProvider> logger) : IDisposable
{
    public const string CaCommonName = "sidepool-webhook-ca";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Loaded? _current;

    /// <summary>Raised after the serving certificate or CA bundle changed (e.g. for the leader to patch the caBundle).</summary>
    public event Action<CertificateMaterial>? Changed;

    /// <summary>The certificate served now (null before the first load).</summary>
    public X509Certificate2? Current => _current?.Certificate;

    /// <summary>The PEM bundle API servers must trust (null when unknown, e.g. files without ca.crt).</summary>
    public string? CaBundlePem => _current?.Material.CaBundlePem;

    /// <summary>True when the operator (leader) should patch the MutatingWebhookConfiguration's caBundle itself.</summary>
    public bool ManagesCaBundle => options.Mode != CertificateMode.CertManager;

    /// <summary>For Kestrel. Blocks on the first load if it has not happened yet.</summary>
    public X509Certificate2? ServerCertificateSelector(ConnectionContext? connection, string? serverName)
    {
        if (_current is null)
        {
            RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return _current?.Certificate;
    }

    /// <summary>Loads or renews the certificate as the mode says. Returns true when the served certificate changed.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken) =>
        await RefreshAsync(force: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Self-signed: issues a new serving certificate now (same CA), whatever its age.</summary>
    public async Task<bool> RenewAsync(CancellationToken cancellationToken) =>
        await RefreshAsync(force: true, cancellationToken).ConfigureAwait(false);

    public void Dispose()
    {
        _current?.Certificate.Dispose();
        _gate.Dispose();
    }

    private async Task<bool> RefreshAsync(bool force, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var material = options.Mode == CertificateMode.SelfSigned
                ? await SelfSignedAsync(force, cancellationToken).ConfigureAwait(false)
                : await FromFilesAsync(cancellationToken).ConfigureAwait(false);
            return material is not null && Use(material);
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool Use(CertificateMaterial material)
    {
        var fingerprint = Fingerprint(material);
        if (_current?.Fingerprint == fingerprint)
        {
            return false;
        }

        var certificate = material.LoadServing();
        _current = new Loaded(material, certificate, fingerprint);
        LogLoaded(certificate.Thumbprint, certificate.NotAfter.ToUniversalTime());
        Changed?.Invoke(material);

        // The previous certificate may still be used by a handshake in progress: let the GC finalize it.
        return true;
    }

    private async Task<CertificateMaterial?> SelfSignedAsync(bool force, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            throw new InvalidOperationException("self-signed certificates need a certificate store");
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var stored = await store.ReadAsync(cancellationToken).ConfigureAwait(false);
            var material = stored is null ? null : CertificateMaterial.FromData(stored.Data);
            var now = time.GetUtcNow();
            if (material is not null && !force && IsUsable(material, now))
            {
                return material;
            }

            var issued = Issue(material, now);
            if (await store.WriteAsync(issued.ToSecretData(), stored?.ResourceVersion, cancellationToken).ConfigureAwait(false))
            {
                LogIssued(force ? "forced renewal" : material is null ? "none stored" : "due for renewal");
                return issued;
            }

            // Another replica wrote first: use theirs (re-read), unless it is unusable too.
            force = false;
        }

        throw new InvalidOperationException("the webhook certificate Secret kept changing while it was being renewed");
    }

    private bool IsUsable(CertificateMaterial material, DateTimeOffset now)
    {
        try
        {
            using var serving = material.LoadServing();
            if (material.CaCertificatePem is null || material.CaKeyPem is null || SelfSignedIssuer.NeedsRenewal(serving, now, options.RenewAfter))
            {
                return false;
            }

            using var ca = CertificateMaterial.LoadCertificate(material.CaCertificatePem);
            var names = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToHashSet(StringComparer.Ordinal);
            return !SelfSignedIssuer.NeedsRenewal(ca, now, options.RenewAfter) && options.DnsNames.All(names.Contains);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private CertificateMaterial Issue(CertificateMaterial? previous, DateTimeOffset now)
    {
        var caPem = previous?.CaCertificatePem;
        var caKey = previous?.CaKeyPem;
        var bundle = new List<string>();
        var keepCa = false;
        if (caPem is not null && caKey is not null)
        {
            try
            {
                using var ca = CertificateMaterial.LoadCertificate(caPem);
                keepCa = !SelfSignedIssuer.NeedsRenewal(ca, now, options.RenewAfter);
                if (!keepCa && ca.NotAfter.ToUniversalTime() > now.UtcDateTime)
                {
                    bundle.Add(caPem.Trim()); // the old CA stays trusted while replicas may still serve its certificates
                }
            }
            catch (CryptographicException)
            {
                keepCa = false;
            }
        }

        if (!keepCa)
        {
            (caPem, caKey) = SelfSignedIssuer.CreateCa(CaCommonName, now, options.CaValidity);
        }

        bundle.Insert(0, caPem!.Trim());
        var (certificate, key) = SelfSignedIssuer.CreateServing(caPem, caKey!, options.DnsNames, now, options.ServingValidity);
        return new CertificateMaterial(certificate, key, string.Join("\n", bundle) + "\n", caPem, caKey);
    }

    private async Task<CertificateMaterial?> FromFilesAsync(CancellationToken cancellationToken)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in new[] { CertificateMaterial.CertificateKey, CertificateMaterial.KeyKey, CertificateMaterial.CaBundleKey })
        {
            var path = Path.Combine(options.Directory, name);
            if (File.Exists(path))
            {
                data[name] = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }

        var material = CertificateMaterial.FromData(data);
        if (material is null)
        {
            if (_current is null)
            {
                throw new FileNotFoundException($"{options.Directory} has no {CertificateMaterial.CertificateKey} and {CertificateMaterial.KeyKey}");
            }

            return null; // mid-update (the kubelet swaps ..data): keep serving the current one
        }

        try
        {
            using var check = material.LoadServing();
        }
        catch (CryptographicException) when (_current is not null)
        {
            return null; // certificate and key from two generations: next poll
        }

        return material;
    }

    private static string Fingerprint(CertificateMaterial material) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material.CertificatePem + "\0" + material.CaBundlePem)));

    [LoggerMessage(Level = LogLevel.Information, Message = "webhook: serving certificate {Thumbprint} loaded (valid until {NotAfter:O})")]
    private partial void LogLoaded(string thumbprint, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "webhook: self-signed serving certificate issued ({Why})")]
    private partial void LogIssued(string why);

    private sealed record Loaded(CertificateMaterial Material, X509Certificate2 Certificate, string Fingerprint);
}
