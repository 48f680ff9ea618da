using SidePool.Core;
using SidePool.Kubernetes.Runtime.Informers;

namespace SidePool.Operator.Controller;

/// <summary>Settings of the ConnectionPool controller (from the operator's flags).</summary>
public sealed record PoolControllerOptions
{
    /// <summary>Namespaces to watch; empty = all namespaces.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>Informer options covering <see cref="Namespaces"/>: one list/watch per namespace, or one for all.</summary>
    public InformerOptions WatchScope() => Namespaces.Count switch
    {
        0 => new InformerOptions(),
        1 => new InformerOptions { Namespace = Namespaces[0] },
        _ => new InformerOptions { Namespaces = Namespaces },
    };

    /// <summary><c>auto</c>, <c>native</c> or <c>classic</c>.</summary>
    public string SidecarMode { get; init; } = "auto";

    /// <summary>
    /// The injected sidecar's operator-wide settings (default image, agent port, timeouts, uid). The webhook must use
    /// the same: the version is a hash of what it injects.
    /// </summary>
    public InjectionOptions Injection { get; init; } = new();

    /// <summary>New-version pods not ready for longer than this stall the rollout (Degraded).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Minimum time between two repairs of one workload.</summary>
    public TimeSpan RepairInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often pools with draining versions or unready pods are looked at again (time-based conditions).</summary>
    public TimeSpan RecheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a version's Secret is kept after the status first showed the version Retired (no pod): a pod admitted
    /// with it just before a new version was published may not be in the operator's cache yet.
    /// </summary>
    public TimeSpan RetiredSecretGrace { get; init; } = TimeSpan.FromSeconds(10);

    public int Workers { get; init; } = 4;

    /// <summary>Image prefixes a pool's sidecar image must start with (<see cref="SidecarImagePolicy"/>); empty = any.</summary>
    public IReadOnlyList<string> AllowedImagePrefixes { get; init; } = [];

    /// <summary>Sidecar resources for pools that set none (<c>spec.sidecar.resources</c> empty); null = none.</summary>
    public Api.ResourceRequirements? DefaultSidecarResources { get; init; }

    /// <summary>
    /// Where a pod's agent answers <c>/budget</c> (pod, pool name → base URL; null: unreachable). Null uses
    /// <see cref="Budget.AgentEndpoints.Default"/>: <c>status.podIP</c> and the port the sidecar declares. Tests point
    /// pods at agents on loopback ports.
    /// </summary>
    public Func<Pod, string, Uri?>? AgentEndpoint { get; init; }

    /// <summary>How long one GET or PUT of an agent's <c>/budget</c> may take.</summary>
    public TimeSpan AgentBudgetTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A pod of a budgeted version created this long after the controller started counts 0 until its agent answers
    /// (it starts paused and only this operator admits it); older unknown pods count at their worst case. Covers clock
    /// skew between the API server's creationTimestamp and this process (docs/budget.md).
    /// </summary>
    public TimeSpan BudgetFreshPodMargin { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a pool's agents are asked for <c>/load</c> (sizing advice, ClientsStuck); zero: never.</summary>
    public TimeSpan LoadInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many ready pods per version are asked each time (a sample: the cost stays flat with replicas).</summary>
    public int LoadPodsPerVersion { get; init; } = 10;

    /// <summary>How long one GET of an agent's <c>/load</c> may take.</summary>
    public TimeSpan AgentLoadTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a budgeted pod that left (its object gone, or a terminal phase) still counts at what it was last counted:
    /// PostgreSQL lets go of its server connections only as their backends exit, after the pod's PgBouncer closed them,
    /// so its room is handed to other pods this much later (docs/budget.md).
    /// </summary>
    public TimeSpan BudgetReleaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Name reported in events (<c>reportingInstance</c>).</summary>
    public string Identity { get; init; } = Environment.MachineName;
}
