namespace SidePool.Reconciliation;

/// <summary>A pod the pool selects, reduced to what status and rollout need.</summary>
public sealed record ObservedPod
{
    public required string Name { get; init; }

    /// <summary>Short version of the pool's sidecar the pod runs; null when it has none (missing).</summary>
    public string? Version { get; init; }

    public bool Injected => Version is not null;

    public bool Ready { get; init; }

    /// <summary>Has a deletionTimestamp.</summary>
    public bool Terminating { get; init; }

    /// <summary>Phase Succeeded or Failed: holds no connections and is not restarted.</summary>
    public bool Finished { get; init; }

    public required WorkloadRef Owner { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Why the sidecar is not ready (CamelCase reason from the container state), when known.</summary>
    public string? SidecarReason { get; init; }

    /// <summary>The sidecar's readiness or waiting message, when known.</summary>
    public string? SidecarMessage { get; init; }
}
