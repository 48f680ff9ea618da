using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// Everything a pool's pod contract (sidecar container, volumes, app env) is built from. The operator fills it when
/// it publishes a version; the webhook fills it from the published version Secret, so both build the same contract.
/// </summary>
public sealed record ContractInputs
{
    public required string PoolName { get; init; }

    public required ConnectionPoolSpec Spec { get; init; }

    /// <summary>The user applications log in to the sidecar as (the backend user when the version was published).</summary>
    public required string ClientUser { get; init; }

    /// <summary>The resolved sidecar image.</summary>
    public required string Image { get; init; }

    /// <summary><see cref="SidecarModes.Native"/> or <see cref="SidecarModes.Classic"/>.</summary>
    public required string SidecarMode { get; init; }

    public SidecarLayout Layout => SidecarLayout.For(PoolName);

    /// <summary>App containers get the server CA when they get a direct URL that verifies the server.</summary>
    public bool AppsNeedCa =>
        Spec.Injection.Env.DirectUrl.Length > 0 && Spec.Backend!.Tls.Mode is "verify-ca" or "verify-full";
}
