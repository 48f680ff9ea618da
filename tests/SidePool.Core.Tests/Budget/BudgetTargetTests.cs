using Xunit;

namespace SidePool.Core.Tests;

public sealed class BudgetTargetTests
{
    private static readonly WorkloadRef Web = new(WorkloadRef.Deployment, "web");

    private static BudgetPod Pod(string name, bool managed = true, bool terminating = false, WorkloadRef? owner = null) =>
        new() { Name = name, Owner = owner ?? Web, Cap = 10, Entries = 1, Managed = managed, Terminating = terminating, Share = managed ? 0 : null };

    [Fact]
    public void The_share_splits_the_budget_over_replicas_plus_surge()
    {
        // 10 replicas, maxSurge 25% = 3 (rounded up): 13 pods; floor(100 / 13) = 7
        var target = BudgetTarget.Compute(100, cap: 10, entries: 1, [BudgetWorkload.Deployment("web", 10, "25%")], [Pod("a")]);
        Assert.Equal(13, target.Pods);
        Assert.Equal(7, target.Share);
    }

    [Fact]
    public void The_share_never_exceeds_size_plus_reserve()
    {
        var target = BudgetTarget.Compute(1000, cap: 10, entries: 1, [BudgetWorkload.Deployment("web", 2, "1")], []);
        Assert.Equal(10, target.Share);
    }

    [Fact]
    public void A_read_only_host_doubles_the_entries()
    {
        var target = BudgetTarget.Compute(20, cap: 10, entries: 2, [BudgetWorkload.Deployment("web", 2, "0")], []);
        Assert.Equal(5, target.Share);
    }

    [Fact]
    public void Terminating_pods_and_pods_without_a_known_workload_count_until_gone()
    {
        var bare = new WorkloadRef(WorkloadRef.Pod, "debug");
        var target = BudgetTarget.Compute(60, cap: 10, entries: 1, [BudgetWorkload.Deployment("web", 3, "0")], [Pod("old", terminating: true), Pod("debug", owner: bare)]);
        Assert.Equal(5, target.Pods);
        Assert.Equal(10, target.Share); // floor(60 / 5) = 12, capped at size + reserve

        var tight = BudgetTarget.Compute(30, cap: 10, entries: 1, [BudgetWorkload.Deployment("web", 3, "0")], [Pod("old", terminating: true), Pod("debug", owner: bare)]);
        Assert.Equal(6, tight.Share);
    }

    [Fact]
    public void Never_fewer_pods_than_exist()
    {
        var pods = Enumerable.Range(0, 8).Select(i => Pod($"p{i}")).ToList();
        var target = BudgetTarget.Compute(40, cap: 10, entries: 1, [BudgetWorkload.Deployment("web", 2, "0")], pods);
        Assert.Equal(8, target.Pods);
        Assert.Equal(5, target.Share);
    }

    [Fact]
    public void Unmanaged_pods_take_their_worst_case_first()
    {
        var target = BudgetTarget.Compute(50, cap: 10, entries: 1, [BudgetWorkload.Deployment("web", 4, "0")], [Pod("old1", managed: false), Pod("old2", managed: false)]);
        Assert.Equal(30, target.Available);
        Assert.Equal(15, 30 / 2);
        Assert.Equal(10, target.Share); // 30 / 2 managed = 15, capped at 10
    }

    [Fact]
    public void A_share_below_one_is_refused_with_the_numbers_never_rounded_to_zero()
    {
        var target = BudgetTarget.Compute(5, cap: 10, entries: 1, [BudgetWorkload.Deployment("web", 10, "0")], []);
        Assert.Null(target.Share);
        Assert.Contains("budget 5 for 10 pods x 1 entries", target.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, "25%", 3)]
    [InlineData(3, "25%", 1)]
    [InlineData(4, "50%", 2)]
    [InlineData(5, "2", 2)]
    [InlineData(5, "0", 0)]
    public void MaxSurge_resolves_like_the_deployment_controller(int replicas, string surge, int expected)
    {
        Assert.Equal(expected, BudgetWorkload.Surge(replicas, surge));
    }
}
