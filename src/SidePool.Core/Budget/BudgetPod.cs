namespace SidePool.Core;

/// <summary>
/// One pod of a budgeted pool as the budget sees it: its static worst case and, for a managed pod, what its agent
/// acknowledged (see docs/budget.md).
/// </summary>
public sealed record BudgetPod
{
    public required string Name { get; init; }

    /// <summary>The pod's version (short form).</summary>
    public string? Version { get; init; }

    public required WorkloadRef Owner { get; init; }

    /// <summary>Has a deletionTimestamp: still holds connections until it is gone, never delivered to.</summary>
    public bool Terminating { get; init; }

    /// <summary><c>pool.size + pool.reserveSize</c> of the pod's version: a PgBouncer pool never opens more per entry.</summary>
    public required int Cap { get; init; }

    /// <summary>Database entries of the pod's version (2 with a read-only host).</summary>
    public required int Entries { get; init; }

    /// <summary>
    /// The operator can deliver shares to it: its version has a budget key (a pod without an address yet is managed but
    /// has not answered). Unmanaged pods (versions from before the budget, PgBouncer without the agent's budget support)
    /// count at their worst case.
    /// </summary>
    public bool Managed { get; init; }

    /// <summary>
    /// Created after this operator began keeping the budget (and never delivered to): its version has a key, so its
    /// PgBouncer started paused and only this operator can admit it. While its agent has not answered it counts 0, not
    /// its worst case (a new pod would otherwise count as if admitted on every scale-up).
    /// </summary>
    public bool Fresh { get; init; }

    /// <summary>
    /// Its sidecar has not passed its startup probe (<c>started</c> is not true in the pod's status) and this term never
    /// heard from its agent. No operator admits such a pod (it is not asked until it started), so its PgBouncer is paused
    /// however old the pod and whichever term: it counts 0, like a fresh pod, and is not delivered to. This is what lets a
    /// new term (after a leader change) count a scale-up's starting pods at 0 instead of their worst case.
    /// </summary>
    public bool Starting { get; init; }

    /// <summary>The share its agent acknowledged (0: not admitted, PgBouncer paused); null while unknown.</summary>
    public int? Share { get; init; }

    /// <summary>A share delivered whose outcome is unknown (timeout): the pod counts the larger of it and its acknowledged share until the agent answers (a shrink may not have landed, a grow may have).</summary>
    public int? Sent { get; init; }

    /// <summary>Server connections the agent last reported (every entry); a shrink is done when this is within the share.</summary>
    public int? Servers { get; init; }

    /// <summary>The most the pod may open now: its worst case unless a managed agent said less.</summary>
    public int Counted
    {
        get
        {
            var worst = Cap * Entries;
            if (Managed && Share is null && Sent is null && (Fresh || Starting))
            {
                return 0;
            }

            if (!Managed || Share is not { } share)
            {
                return worst;
            }

            var allowed = Math.Max(share, Sent ?? 0) * Entries;
            return Math.Min(worst, Math.Max(allowed, Servers ?? 0));
        }
    }

    /// <summary>A managed pod whose agent answered and that is not terminating: it can be delivered to.</summary>
    public bool Deliverable => Managed && Share is not null && !Terminating;
}
