namespace SidePool.Core;

/// <summary>What owns a pod, as far as rollouts care: a Deployment, StatefulSet, DaemonSet (restartable), or a Job, CronJob, ReplicaSet without Deployment, other controller or the bare pod itself (reported only).</summary>
public sealed record WorkloadRef(string Kind, string Name)
{
    public const string Deployment = "Deployment";
    public const string StatefulSet = "StatefulSet";
    public const string DaemonSet = "DaemonSet";
    public const string ReplicaSet = "ReplicaSet";
    public const string Job = "Job";
    public const string CronJob = "CronJob";
    public const string Pod = "Pod";

    /// <summary>True for kinds the operator restarts by stamping their pod template.</summary>
    public bool IsRestartable => Kind is Deployment or StatefulSet or DaemonSet;

    public override string ToString() => $"{Kind}/{Name}";
}
