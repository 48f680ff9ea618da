namespace SidePool.Core;

/// <summary>A pod the pool selects, reduced to what status and rollout need.</summary>
public sealed record ObservedPod
{
    public required string Name { get; init; }

    /// <summary>Short version of the pool's sidecar the pod runs; null when it has none (missing).</summary>
    public string? Version { get; init; }

    public bool Injected => Version is not null;

    /// <summary>Not injected because the pod itself declares the pool's sidecar port: a conflict, not a missing sidecar.</summary>
    public bool RefusedFor(int sidecarPort) => !Injected && DeclaredPorts.Contains(sidecarPort);

    public bool Ready { get; init; }

    /// <summary>Has a deletionTimestamp.</summary>
    public bool Terminating { get; init; }

    /// <summary>Phase Succeeded or Failed: holds no connections and is not restarted.</summary>
    public bool Finished { get; init; }

    public required WorkloadRef Owner { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Why the sidecar is not ready (CamelCase reason from the container state), when known.</summary>
    public string? SidecarReason { get; init; }

    /// <summary>
    /// The version the pod's template asked for (the workload's stamp, copied onto the pod), or null. A pod whose
    /// template asked for the current version yet runs another one was admitted while the webhook did not know it yet.
    /// </summary>
    public string? TemplateVersion { get; init; }

    /// <summary>A container of the pod declares this port (containerPort or hostPort), so the sidecar's port clashes.</summary>
    public IReadOnlyList<int> DeclaredPorts { get; init; } = [];

    /// <summary>The sidecar's readiness or waiting message, when known.</summary>
    public string? SidecarMessage { get; init; }
}
