using SidePool.Core;
using SidePool.Operator.Certificates;

namespace SidePool.Operator.Webhook;

/// <summary>Settings of the pod-mutating webhook (the host builds them from its flags).</summary>
public sealed record WebhookOptions
{
    /// <summary>Path the MutatingWebhookConfiguration's <c>clientConfig.service.path</c> must name.</summary>
    public const string Path = "/mutate-pods";

    /// <summary>The injected sidecar (mode, agent port, default image, …).</summary>
    public InjectionOptions Injection { get; init; } = new();

    /// <summary>
    /// Image prefixes a sidecar must start with (<see cref="SidecarImagePolicy"/>); a published version whose image is
    /// outside them (published before the list was set) is not injected. Empty = any.
    /// </summary>
    public IReadOnlyList<string> AllowedImagePrefixes { get; init; } = [];

    /// <summary>Where the serving certificate comes from.</summary>
    public CertificateOptions Certificates { get; init; } = new();

    /// <summary>
    /// Budget for finding pools and building the patch; beyond it the pod is admitted without sidecars (with a
    /// warning). Keep it below the webhook's <c>timeoutSeconds</c>.
    /// </summary>
    public TimeSpan AdmissionTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest AdmissionReview body accepted (the API server's objects are at most ~3 MiB).</summary>
    public long MaxRequestBytes { get; init; } = 8 * 1024 * 1024;

    public void Validate()
    {
        Injection.Validate();
        Certificates.Validate();
        if (AdmissionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("the admission timeout must be positive");
        }
    }
}
