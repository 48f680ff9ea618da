namespace SidePool.Core;

/// <summary>What to deliver now, and what the pool may open meanwhile.</summary>
public sealed record BudgetPlan
{
    public IReadOnlyList<BudgetDelivery> Deliveries { get; init; } = [];

    /// <summary>Sum of <see cref="BudgetPod.Counted"/> now (before any delivery is acknowledged).</summary>
    public int Counted { get; init; }

    /// <summary>Sum counted once every delivery of this plan is acknowledged and every shrink settled.</summary>
    public int CountedAfter { get; init; }

    /// <summary>Managed pods that want a larger share (or admission) than this plan can give yet.</summary>
    public int Waiting { get; init; }

    /// <summary>Every deliverable pod runs the target share and settled within it.</summary>
    public bool Converged { get; init; }
}

/// <summary>
/// Shrink before grow: shrinks are always delivered; a grow or an admission only when the sum over every pod
/// (each at <see cref="BudgetPod.Counted"/>, shrinks not yet acknowledged at their old value, grows planned here at
/// their new one) stays within the budget. Admissions go first (oldest name first), then grows.
/// </summary>
public static class BudgetPlanner
{
    public static BudgetPlan Plan(int budget, BudgetTarget target, IReadOnlyList<BudgetPod> pods)
    {
        var deliveries = new List<BudgetDelivery>();
        var counted = pods.Sum(p => p.Counted);

        // A share below 1 stops every grow and admission; running pods still shrink to 1 to make the most room.
        var shrinkTo = target.Share ?? 1;
        foreach (var pod in pods.Where(p => p.Deliverable && p.Share > shrinkTo).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            deliveries.Add(new BudgetDelivery(pod.Name, shrinkTo, BudgetDeliveryKind.Shrink));
        }

        var total = counted;
        var waiting = 0;
        if (target.Share is { } share)
        {
            var candidates = pods.Where(p => p.Deliverable && p.Share < share)
                .OrderBy(p => p.Share == 0 ? 0 : 1)
                .ThenBy(p => p.Name, StringComparer.Ordinal);
            foreach (var pod in candidates)
            {
                var after = Math.Min(pod.Cap * pod.Entries, Math.Max(share * pod.Entries, pod.Servers ?? 0));
                var grown = total - pod.Counted + Math.Max(after, pod.Counted);
                if (grown <= budget)
                {
                    deliveries.Add(new BudgetDelivery(pod.Name, share, pod.Share == 0 ? BudgetDeliveryKind.Admit : BudgetDeliveryKind.Grow));
                    total = grown;
                }
                else
                {
                    waiting++;
                }
            }
        }
        else
        {
            waiting = pods.Count(p => p.Deliverable && p.Share == 0);
        }

        var deliveredTo = deliveries.ToDictionary(d => d.Pod, d => d.Share, StringComparer.Ordinal);
        var after2 = pods.Sum(p => deliveredTo.TryGetValue(p.Name, out var s) && p.Managed ? Math.Min(p.Cap, s) * p.Entries : p.Counted);
        var converged = deliveries.Count == 0 && waiting == 0
            && pods.Where(p => p.Deliverable).All(p => p.Sent is null && (p.Servers ?? 0) <= p.Share * p.Entries)
            && pods.Where(p => p.Managed && !p.Terminating).All(p => p.Share is not null);
        return new BudgetPlan { Deliveries = deliveries, Counted = counted, CountedAfter = after2, Waiting = waiting, Converged = converged };
    }
}
