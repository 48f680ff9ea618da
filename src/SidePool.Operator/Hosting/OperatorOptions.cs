namespace SidePool.Operator.Hosting;

/// <summary>The operator's flags.</summary>
public sealed record OperatorOptions
{
    /// <summary>Namespaces to watch; empty = every namespace.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary><c>auto</c>, <c>native</c> or <c>classic</c>.</summary>
    public string SidecarMode { get; init; } = "auto";

    public string DefaultImage { get; init; } = Core.InjectionOptions.DefaultSidecarImage;

    /// <summary>Plain HTTP port of <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>.</summary>
    public int MetricsPort { get; init; } = 8080;

    /// <summary>HTTPS port of the admission webhook.</summary>
    public int WebhookPort { get; init; } = 9443;

    public string? Kubeconfig { get; init; }

    public string? Context { get; init; }

    public bool LeaderElection { get; init; } = true;

    public string LeaseName { get; init; } = "sidepool-operator";

    /// <summary>Namespace of the Lease; default: the operator's own namespace.</summary>
    public string? LeaseNamespace { get; init; }

    /// <summary>This replica's identity in the Lease; default: POD_NAME or the host name.</summary>
    public string Identity { get; init; } = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName;

    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the agents' <c>/load</c> is read per pool; zero: never (no recommendation, no ClientsStuck).</summary>
    public TimeSpan LoadInterval { get; init; } = TimeSpan.FromMinutes(1);

    public int Workers { get; init; } = 4;

    /// <summary>Serve the admission webhook (HTTPS on <see cref="WebhookPort"/>).</summary>
    public bool Webhook { get; init; } = true;

    /// <summary>self-signed, cert-manager or files.</summary>
    public string CertMode { get; init; } = "self-signed";

    /// <summary>Directory with tls.crt/tls.key (cert-manager, files).</summary>
    public string CertDirectory { get; init; } = "/etc/sidepool/webhook-tls";

    /// <summary>The webhook Service name (the serving certificate is for &lt;service&gt;.&lt;namespace&gt;.svc).</summary>
    public string WebhookService { get; init; } = "sidepool-webhook";

    /// <summary>The MutatingWebhookConfiguration whose caBundle the leader keeps current (self-signed, files).</summary>
    public string WebhookConfiguration { get; init; } = "sidepool-operator";

    /// <summary>The operator's own namespace (Lease, webhook Service, certificate Secret); default POD_NAMESPACE or the client's.</summary>
    public string? OperatorNamespace { get; init; } = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns : null;

    /// <summary>Port of the sidecar agent's health and metrics server.</summary>
    public int AgentPort { get; init; } = 9127;

    /// <summary>Prefixes a pool's sidecar image must start with (<c>--allowed-image-prefix</c>, repeatable); empty = any image.</summary>
    public IReadOnlyList<string> AllowedImagePrefixes { get; init; } = [];

    /// <summary>Sidecar resources of pools that set none (<c>--default-sidecar-resources</c>, JSON); null = none.</summary>
    public Api.ResourceRequirements? DefaultSidecarResources { get; init; }

    /// <summary>Lowest level logged (<c>--log-level</c>); null = the host's default (information).</summary>
    public Microsoft.Extensions.Logging.LogLevel? LogLevel { get; init; }

    /// <summary>
    /// After a term whose caches could not sync (e.g. RBAC refuses a list), how long before checking that request again;
    /// the pause doubles up to 8 times this while it still fails. Not a flag.
    /// </summary>
    public TimeSpan NotSyncingRecheck { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a retired version's Secret is kept (see <see cref="Controller.PoolControllerOptions.RetiredSecretGrace"/>). Not a flag.</summary>
    public TimeSpan RetiredSecretGrace { get; init; } = TimeSpan.FromSeconds(10);
}
