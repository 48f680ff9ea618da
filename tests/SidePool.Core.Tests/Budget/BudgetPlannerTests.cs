using Xunit;

namespace SidePool.Core.Tests;

public sealed class BudgetPlannerTests
{
    private static readonly WorkloadRef Web = new(WorkloadRef.Deployment, "web");

    private static BudgetPod Pod(string name, int share, int? servers = null) =>
        new() { Name = name, Owner = Web, Cap = 10, Entries = 1, Managed = true, Share = share, Servers = servers ?? share };

    private static BudgetTarget Target(int? share) => new() { Share = share, Pods = 1, Entries = 1 };

    [Fact]
    public void Shrinks_go_out_at_once_and_admissions_wait_until_the_room_is_acknowledged()
    {
        // 2 pods at 10 of a budget of 20; scaled to 4: share 5. The new pods wait until the shrinks are acknowledged.
        var pods = new[] { Pod("a", 10), Pod("b", 10), Pod("c", 0), Pod("d", 0) };
        var plan = BudgetPlanner.Plan(20, Target(5), pods);
        Assert.Equal([new BudgetDelivery("a", 5, BudgetDeliveryKind.Shrink), new BudgetDelivery("b", 5, BudgetDeliveryKind.Shrink)], plan.Deliveries);
        Assert.Equal(2, plan.Waiting);
        Assert.False(plan.Converged);

        // acknowledged, but a's servers have not been released yet: only one admission fits
        var acked = new[] { Pod("a", 5, servers: 9), Pod("b", 5), Pod("c", 0), Pod("d", 0) };
        var next = BudgetPlanner.Plan(20, Target(5), acked);
        Assert.Equal([new BudgetDelivery("c", 5, BudgetDeliveryKind.Admit)], next.Deliveries);
        Assert.Equal(1, next.Waiting);
    }

    [Fact]
    public void A_delivery_with_an_unknown_outcome_counts_as_applied()
    {
        var pods = new[] { Pod("a", 5) with { Sent = 10 }, Pod("b", 0) };
        var plan = BudgetPlanner.Plan(12, Target(5), pods);
        Assert.DoesNotContain(plan.Deliveries, d => d.Kind != BudgetDeliveryKind.Shrink);
        Assert.Equal(10, plan.Counted);
    }

    [Fact]
    public void Below_one_nothing_grows_and_nothing_is_admitted()
    {
        var plan = BudgetPlanner.Plan(3, Target(null), [Pod("a", 2), Pod("b", 0)]);
        Assert.Equal([new BudgetDelivery("a", 1, BudgetDeliveryKind.Shrink)], plan.Deliveries);
        Assert.Equal(1, plan.Waiting);
    }

    [Fact]
    public void A_fresh_pod_counts_nothing_until_its_agent_answers_or_a_share_is_sent()
    {
        var fresh = new BudgetPod { Name = "f", Owner = Web, Cap = 10, Entries = 1, Managed = true, Fresh = true };
        Assert.Equal(0, fresh.Counted);
        Assert.Equal(10, (fresh with { Sent = 7 }).Counted); // something was sent and not answered: worst case
        Assert.Equal(10, (fresh with { Managed = false }).Counted);
    }

    [Fact]
    public void A_pod_whose_sidecar_has_not_started_counts_nothing_however_old_and_is_not_admitted()
    {
        var starting = new BudgetPod { Name = "s", Owner = Web, Cap = 10, Entries = 2, Managed = true, Starting = true };
        Assert.Equal(0, starting.Counted);
        Assert.False(starting.Deliverable);
        Assert.Equal(20, (starting with { Starting = false }).Counted); // started, unanswered: the previous term may have admitted it
        Assert.Equal(20, (starting with { Managed = false }).Counted);
        var plan = BudgetPlanner.Plan(20, Target(5), [starting, Pod("a", 5)]);
        Assert.Empty(plan.Deliveries);
        Assert.Equal(5, plan.Counted);
        Assert.False(plan.Converged); // it still has to start, answer and be admitted
    }

    [Fact]
    public void Unknown_and_unmanaged_pods_count_at_their_worst_case()
    {
        var unknown = new BudgetPod { Name = "u", Owner = Web, Cap = 10, Entries = 2, Managed = true };
        var old = new BudgetPod { Name = "o", Owner = Web, Cap = 4, Entries = 1, Managed = false };
        Assert.Equal(20, unknown.Counted);
        Assert.Equal(4, old.Counted);
        Assert.Equal(24, BudgetPlanner.Plan(100, Target(5), [unknown, old]).Counted);
    }
}
