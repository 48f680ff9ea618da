namespace SidePool.Core;

/// <summary>What the live budget step observed and did in one pass, for status.</summary>
public sealed record BudgetReport
{
    public required BudgetTarget Target { get; init; }

    public required BudgetPlan Plan { get; init; }

    /// <summary>Managed pods whose agent runs a share (admitted).</summary>
    public int Admitted { get; init; }

    /// <summary>Managed pods waiting for admission (PgBouncer paused) or whose agent has not answered yet.</summary>
    public int Pending { get; init; }

    /// <summary>Pods counted at their worst case because the operator cannot manage them.</summary>
    public int Unmanaged { get; init; }

    /// <summary>Sum of what every pod may open now, as acknowledged (worst case for unknown and unmanaged pods).</summary>
    public int Counted { get; init; }

    /// <summary>Agents that did not answer this pass (named in the condition; counted at their worst case or last known share).</summary>
    public IReadOnlyList<string> Unreachable { get; init; } = [];

    public static BudgetReport From(BudgetTarget target, BudgetPlan plan, IReadOnlyList<BudgetPod> pods, IReadOnlyList<string> unreachable) => new()
    {
        Target = target,
        Plan = plan,
        Admitted = pods.Count(p => p.Managed && p.Share > 0),
        Pending = pods.Count(p => p.Managed && !p.Terminating && (p.Share is null || p.Share == 0)),
        Unmanaged = pods.Count(p => !p.Managed),
        Counted = plan.Counted,
        Unreachable = unreachable,
    };
}
