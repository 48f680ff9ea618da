namespace SidePool.Core;

/// <summary>Operator-wide settings of the injected sidecar (flags of the operator, not of a pool).</summary>
public sealed record InjectionOptions
{
    /// <summary><see cref="SidecarModes.Native"/> or <see cref="SidecarModes.Classic"/>.</summary>
    public string SidecarMode { get; init; } = SidecarModes.Native;

    /// <summary>Port of the agent's health and metrics server (the first sidecar of a pod; further ones count up).</summary>
    public int AgentPort { get; init; } = 9127;

    /// <summary>Image used when a pool's <c>spec.sidecar.image</c> is empty.</summary>
    public string DefaultImage { get; init; } = DefaultSidecarImage;

    /// <summary>The image the operator injects unless told otherwise.</summary>
    public const string DefaultSidecarImage = "ghcr.io/sidepool/sidecar:0.1.0";

    /// <summary>The agent's <c>--shutdown-timeout</c> (PAUSE plus PgBouncer's exit after the drain).</summary>
    public TimeSpan AgentShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Added to drainTimeout + shutdown timeout when raising <c>terminationGracePeriodSeconds</c>.</summary>
    public TimeSpan GracePeriodMargin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>uid and gid the sidecar runs as (non-root; 65532 is the usual "nonroot" user of distroless images).</summary>
    public long SidecarUserId { get; init; } = 65532;

    /// <summary>Throws when a setting is out of range (checked once at start by the host).</summary>
    public void Validate()
    {
        if (!SidecarModes.IsValid(SidecarMode))
        {
            throw new ArgumentException($"sidecar mode must be '{SidecarModes.Native}' or '{SidecarModes.Classic}', not '{SidecarMode}'");
        }

        if (AgentPort is < 1 or > 65535)
        {
            throw new ArgumentException($"agent port must be 1-65535, not {AgentPort}");
        }

        if (string.IsNullOrWhiteSpace(DefaultImage))
        {
            throw new ArgumentException("the default sidecar image must not be empty");
        }

        if (SidecarUserId <= 0)
        {
            throw new ArgumentException("the sidecar must run as a non-root uid");
        }
    }
}
