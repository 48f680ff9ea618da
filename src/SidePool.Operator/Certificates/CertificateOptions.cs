namespace SidePool.Operator.Certificates;

/// <summary>The webhook's serving certificate.</summary>
public sealed record CertificateOptions
{
    public CertificateMode Mode { get; init; } = CertificateMode.SelfSigned;

    /// <summary>The webhook Service's name; the certificate is for <c>&lt;service&gt;.&lt;namespace&gt;.svc</c>.</summary>
    public string ServiceName { get; init; } = "sidepool-webhook";

    /// <summary>The operator's namespace (Service and certificate Secret).</summary>
    public string Namespace { get; init; } = "sidepool-system";

    /// <summary>Self-signed: the Secret holding CA and serving certificate.</summary>
    public string SecretName { get; init; } = "sidepool-webhook-tls";

    /// <summary>Files and cert-manager: the directory with <c>tls.crt</c>, <c>tls.key</c> (and <c>ca.crt</c>).</summary>
    public string Directory { get; init; } = "/etc/sidepool/webhook-tls";

    /// <summary>Self-signed CA lifetime.</summary>
    public TimeSpan CaValidity { get; init; } = TimeSpan.FromDays(3650);

    /// <summary>Self-signed serving certificate lifetime.</summary>
    public TimeSpan ServingValidity { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Fraction of a certificate's lifetime after which it is renewed.</summary>
    public double RenewAfter { get; init; } = 2.0 / 3.0;

    /// <summary>How often the certificate is checked (self-signed: Secret re-read and renewal; files: change poll).</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The DNS names of the serving certificate.</summary>
    public IReadOnlyList<string> DnsNames =>
    [
        $"{ServiceName}.{Namespace}.svc",
        $"{ServiceName}.{Namespace}.svc.cluster.local",
        $"{ServiceName}.{Namespace}",
        ServiceName,
    ];

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ServiceName) || string.IsNullOrWhiteSpace(Namespace))
        {
            throw new ArgumentException("the webhook service name and namespace must be set");
        }

        if (RenewAfter is <= 0 or >= 1)
        {
            throw new ArgumentException("certificate renewal must happen between 0 and 100% of the lifetime");
        }

        if (CheckInterval <= TimeSpan.Zero || ServingValidity <= TimeSpan.Zero || CaValidity < ServingValidity)
        {
            throw new ArgumentException("certificate lifetimes and the check interval must be positive (CA at least as long as the serving certificate)");
        }
    }
}
