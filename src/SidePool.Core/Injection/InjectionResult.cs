using System.Text.Json.Nodes;

namespace SidePool.Core;

/// <summary>What happened to one matching pool.</summary>
public enum PoolInjectionStatus
{
    /// <summary>The sidecar is added by the patch.</summary>
    Injected,

    /// <summary>The pod already has this pool's sidecar container: nothing to do.</summary>
    AlreadyInjected,

    /// <summary>Another (older) pool uses the same port in this pod; this pool's sidecar is not added.</summary>
    PortConflict,

    /// <summary>A container of the pod itself declares the sidecar's port (containerPort or hostPort): not added.</summary>
    PortInUse,

    /// <summary><c>clientAuth: trust</c> on a <c>hostNetwork</c> pod (loopback is the node's): not added.</summary>
    RefusedHostNetwork,

    /// <summary>The pod already uses a volume name or mount path the sidecar needs (the pod would be invalid): not added.</summary>
    NameInUse,
}

/// <summary>The outcome for one pool. <see cref="ShortVersion"/> is the version injected (or found).</summary>
public sealed record PoolOutcome(string Pool, PoolInjectionStatus Status, string? ShortVersion);

/// <summary><see cref="Pool"/> could not have port <see cref="Port"/>: <see cref="TakenBy"/> (an older pool, or a container of the pod) has it.</summary>
public sealed record PortConflict(string Pool, string TakenBy, int Port);

/// <summary>
/// The RFC 6902 JSON patch for the pod (empty when nothing changes), warnings for the AdmissionReview
/// (no secrets), the outcome per pool and the port conflicts for the pools' <c>Conflict</c> condition.
/// </summary>
public sealed record InjectionResult
{
    public required JsonArray Patch { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    public required IReadOnlyList<PoolOutcome> Pools { get; init; }

    public required IReadOnlyList<PortConflict> Conflicts { get; init; }

    public bool HasChanges => Patch.Count > 0;

    /// <summary>Pools that selected the pod but whose sidecar it does not get (the pod counts as missing for them).</summary>
    public IEnumerable<PoolOutcome> Missing =>
        Pools.Where(p => p.Status is not (PoolInjectionStatus.Injected or PoolInjectionStatus.AlreadyInjected));
}
