namespace SidePool.Kubernetes.Runtime.LeaderElection;

/// <summary>Lease-based leader election settings (client-go defaults: 15 s / 10 s / 2 s).</summary>
public sealed record LeaderElectionOptions
{
    public required string LeaseName { get; init; }
    public required string Namespace { get; init; }
    /// <summary>Unique per candidate, e.g. the pod name.</summary>
    public required string Identity { get; init; }
    /// <summary>How long others wait, from when they last saw the lease change, before taking it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>The leader gives up if it cannot renew for this long. Must be less than <see cref="LeaseDuration"/>.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Pause between attempts.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>On shutdown, clear the holder so another candidate can take over at once.</summary>
    public bool ReleaseOnCancel { get; init; } = true;
}
