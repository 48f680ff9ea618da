using SidePool.Api;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class StatusBuilderTests
{
    private static ConnectionPoolStatus Build(ConnectionPool pool, IReadOnlyList<ObservedPod> pods, string current = TestData.V2, DateTimeOffset? now = null, Func<StatusInputs, StatusInputs>? change = null)
    {
        var inputs = new StatusInputs { Pool = pool, Desired = TestData.Desired(current), Pods = pods, Now = now ?? TestData.Now };
        return StatusBuilder.Build(change is null ? inputs : change(inputs));
    }

    private static Condition Condition(ConnectionPoolStatus status, string type) => status.Conditions!.Single(c => c.Type == type);

    [Fact]
    public void CountsPodsPerVersionAndTargets()
    {
        var pods = new[]
        {
            TestData.Pod("a", TestData.V2),
            TestData.Pod("b", TestData.V2, ready: false),
            TestData.Pod("c", TestData.V1),
            TestData.Pod("d", TestData.V1, terminating: true),
            TestData.Pod("e", null),
        };
        var status = Build(TestData.Pool(), pods);
        Assert.Equal(3, status.ObservedGeneration);
        Assert.Equal(TestData.V2, status.CurrentVersion);
        Assert.Equal([TestData.V2, TestData.V1], status.Versions!.Select(v => v.Version));
        var current = status.Versions![0];
        Assert.Equal(("Current", 2, 1, 0), (current.State, current.Pods, current.ReadyPods, current.TerminatingPods));
        Assert.Equal(TestData.Desired(TestData.V2).Hash, current.Hash);
        var draining = status.Versions[1];
        Assert.Equal(("Draining", 2, 1, 1, TestData.Now), (draining.State, draining.Pods, draining.ReadyPods, draining.TerminatingPods, draining.DrainingSince!.Value));
        Assert.Equal(new TargetsStatus { Workloads = 1, Pods = 5, Injected = 4, Outdated = 1, Missing = 1 }, status.Targets);
        Assert.Equal($"{TestData.V2}:2 {TestData.V1}:2", status.PodsPerVersion); // kubectl get pools shows it
    }

    [Fact]
    public void PodsPerVersionNamesOnlyVersionsWithPodsCurrentFirst()
    {
        Assert.Equal($"{TestData.V2}:1", Build(TestData.Pool(), [TestData.Pod("a", TestData.V2), TestData.Pod("e", null)]).PodsPerVersion);
        Assert.Equal($"{TestData.V2}:0 {TestData.V1}:1", Build(TestData.Pool(), [TestData.Pod("c", TestData.V1)]).PodsPerVersion);
        Assert.Equal($"{TestData.V2}:0", Build(TestData.Pool(), []).PodsPerVersion);
    }

    [Fact]
    public void ServerConnectionsAndBudget()
    {
        var pool = TestData.Pool(s => { s.Pool.Size = 10; s.Pool.ReserveSize = 2; s.Backend!.MaxConnections = 30; });
        var status = Build(pool, [TestData.Pod("a", TestData.V2), TestData.Pod("b", TestData.V2), TestData.Pod("c", TestData.V2)]);
        Assert.Equal(new ServerConnectionsStatus { PerPod = 12, Pods = 3, Total = 36, Budget = 30 }, status.ServerConnections);
        var budget = Condition(status, ConditionTypes.BudgetExceeded);
        Assert.Equal(("True", "OverBudget"), (budget.Status, budget.Reason));

        var within = Build(pool, [TestData.Pod("a", TestData.V2)]);
        Assert.Equal(("False", "WithinBudget"), (Condition(within, ConditionTypes.BudgetExceeded).Status, Condition(within, ConditionTypes.BudgetExceeded).Reason));
        Assert.Equal("NoBudget", Condition(Build(TestData.Pool(), []), ConditionTypes.BudgetExceeded).Reason);
    }

    [Fact]
    public void TheLiveBudgetReportsTheSplitAndItsReasons()
    {
        var pool = TestData.Pool(s => { s.Pool.Size = 10; s.Backend!.MaxConnections = 20; });
        var web = new WorkloadRef(WorkloadRef.Deployment, "web");
        BudgetPod Pod(string name, int? share, int? servers = null) => new() { Name = name, Owner = web, Cap = 10, Entries = 1, Managed = true, Share = share, Servers = servers ?? share };
        BudgetReport Report(int budget, IReadOnlyList<BudgetPod> pods, int replicas)
        {
            var target = BudgetTarget.Compute(budget, 10, 1, [BudgetWorkload.Deployment("web", replicas, "0")], pods);
            return BudgetReport.From(target, BudgetPlanner.Plan(budget, target, pods), pods, []);
        }

        var pods = new[] { TestData.Pod("a", TestData.V2), TestData.Pod("b", TestData.V2) };

        // converged: 2 pods at 10 of 20
        var within = Build(pool, pods, change: i => i with { Budget = Report(20, [Pod("a", 10), Pod("b", 10)], 2) });
        Assert.Equal(new ServerConnectionsStatus { PerPod = 10, Pods = 2, Total = 20, Budget = 20, Share = 10, PlannedPods = 2, Admitted = 2, Pending = 0, Unmanaged = 0 }, within.ServerConnections);
        Assert.Equal(("False", "WithinBudget"), (Condition(within, ConditionTypes.BudgetExceeded).Status, Condition(within, ConditionTypes.BudgetExceeded).Reason));

        // scaled to 4: a shrink acknowledged, servers not yet released, 2 new pods waiting
        var moving = Build(pool, pods, change: i => i with { Budget = Report(20, [Pod("a", 5, servers: 9), Pod("b", 10), Pod("c", 0), Pod("d", 0)], 4) });
        var rebalancing = Condition(moving, ConditionTypes.BudgetExceeded);
        Assert.Equal(("False", "Rebalancing"), (rebalancing.Status, rebalancing.Reason));
        Assert.Contains("2 pods not admitted yet", rebalancing.Message, StringComparison.Ordinal);
        Assert.Equal((19, 5, 2), (moving.ServerConnections!.Total!.Value, moving.ServerConnections.Share!.Value, moving.ServerConnections.Pending!.Value));

        // 30 pods for 20: refused, named with the numbers
        var below = Build(pool, pods, change: i => i with { Budget = Report(20, [Pod("a", 1), Pod("b", 0)], 30) });
        var refused = Condition(below, ConditionTypes.BudgetExceeded);
        Assert.Equal(("True", "ShareBelowOne"), (refused.Status, refused.Reason));
        Assert.Contains("budget 20 for 30 pods x 1 entries", refused.Message, StringComparison.Ordinal);
        Assert.Null(below.ServerConnections!.Share);
    }

    [Fact]
    public void AllOnCurrentIsReadyAndNotProgressing()
    {
        var status = Build(TestData.Pool(), [TestData.Pod("a", TestData.V2)]);
        Assert.Equal("True", Condition(status, ConditionTypes.Ready).Status);
        Assert.Equal(("False", "RolloutComplete"), (Condition(status, ConditionTypes.Progressing).Status, Condition(status, ConditionTypes.Progressing).Reason));
        Assert.Equal("False", Condition(status, ConditionTypes.Degraded).Status);
        Assert.Equal("False", Condition(status, ConditionTypes.Conflict).Status);
    }

    [Fact]
    public void OutdatedPodsMeanProgressingAndReportNotRestartableOwners()
    {
        var status = Build(TestData.Pool(), [TestData.Pod("a", TestData.V1), TestData.Pod("j", TestData.V1, owner: "migrate", kind: WorkloadRef.Job)], change: i => i with { NotRestartable = [new WorkloadRef("Job", "migrate")] });
        var progressing = Condition(status, ConditionTypes.Progressing);
        Assert.Equal(("True", "RollingOut"), (progressing.Status, progressing.Reason));
        Assert.Contains("Job/migrate", progressing.Message, StringComparison.Ordinal);

        var none = Build(TestData.Pool(s => s.Rollout.Strategy = "None"), [TestData.Pod("a", TestData.V1)]);
        Assert.Equal(("False", "WaitingForNewPods"), (Condition(none, ConditionTypes.Progressing).Status, Condition(none, ConditionTypes.Progressing).Reason));
    }

    [Fact]
    public void StalledRolloutIsDegradedWithTheSidecarsReason()
    {
        var stuck = TestData.Pod("new-1", TestData.V2, ready: false, created: TestData.Now.AddMinutes(-11)) with { SidecarReason = "CrashLoopBackOff", SidecarMessage = "back-off" };
        var status = Build(TestData.Pool(), [TestData.Pod("old-1", TestData.V1), stuck]);
        Assert.Equal(("False", "RolloutStalled"), (Condition(status, ConditionTypes.Progressing).Status, Condition(status, ConditionTypes.Progressing).Reason));
        var degraded = Condition(status, ConditionTypes.Degraded);
        Assert.Equal(("True", "CrashLoopBackOff"), (degraded.Status, degraded.Reason));
        Assert.Contains("new-1", degraded.Message, StringComparison.Ordinal);
        Assert.Contains("back-off", degraded.Message, StringComparison.Ordinal);

        // Not yet past the bound: still rolling.
        var young = Build(TestData.Pool(), [TestData.Pod("old-1", TestData.V1), stuck with { CreatedAt = TestData.Now.AddMinutes(-2) }]);
        Assert.Equal("True", Condition(young, ConditionTypes.Progressing).Status);
        Assert.Equal("False", Condition(young, ConditionTypes.Degraded).Status);

        // The workload's own deadline also stalls it.
        var deadline = Build(TestData.Pool(), [TestData.Pod("old-1", TestData.V1)], change: i => i with { Workloads = [new WorkloadState { Ref = new WorkloadRef("Deployment", "web"), ProgressDeadlineExceeded = true }] });
        Assert.Equal(("False", "ProgressDeadlineExceeded"), (Condition(deadline, ConditionTypes.Progressing).Status, Condition(deadline, ConditionTypes.Progressing).Reason));
        Assert.Equal("True", Condition(deadline, ConditionTypes.Degraded).Status);
    }

    [Fact]
    public void MissingSidecarsDegradeThePool()
    {
        var status = Build(TestData.Pool(), [TestData.Pod("a", TestData.V2), TestData.Pod("naked", null)]);
        var degraded = Condition(status, ConditionTypes.Degraded);
        Assert.Equal(("True", "SidecarMissing"), (degraded.Status, degraded.Reason));
        Assert.Contains("naked", degraded.Message, StringComparison.Ordinal);
        Assert.Equal("False", Condition(status, ConditionTypes.Ready).Status);
        Assert.Equal(1, status.Targets!.Missing);
    }

    [Fact]
    public void ProblemsKeepThePreviousVersionAndDegrade()
    {
        var previous = Build(TestData.Pool(), [TestData.Pod("a", TestData.V1)], current: TestData.V1);
        var status = Build(TestData.Pool(status: previous), [TestData.Pod("a", TestData.V1)], change: i => i with { Desired = null, Problem = ("CredentialsSecretNotFound", "Secret orders-creds not found") });
        Assert.Equal(TestData.V1, status.CurrentVersion);
        var degraded = Condition(status, ConditionTypes.Degraded);
        Assert.Equal(("True", "CredentialsSecretNotFound"), (degraded.Status, degraded.Reason));
        Assert.Equal("False", Condition(status, ConditionTypes.Ready).Status);
    }

    [Fact]
    public void VersionsRetireAndOnlyTheLastThreeRetiredAreKept()
    {
        var status = Build(TestData.Pool(), [TestData.Pod("a", TestData.V1)], current: TestData.V1);
        string[] later = ["cccccccccc", "dddddddddd", "eeeeeeeeee", "ffffffffff"];
        var time = TestData.Now;
        foreach (var version in later)
        {
            time = time.AddMinutes(1);
            status = Build(TestData.Pool(status: status), [], current: version, now: time);
        }

        Assert.Equal(["ffffffffff", "eeeeeeeeee", "dddddddddd", "cccccccccc"], status.Versions!.Select(v => v.Version));
        Assert.Equal(["Current", "Retired", "Retired", "Retired"], status.Versions!.Select(v => v.State));
        var retired = status.Versions![1];
        Assert.Equal(time, retired.RetiredAt);
    }

    [Fact]
    public void DrainingSinceAndTransitionTimesSurviveRebuilds()
    {
        var first = Build(TestData.Pool(), [TestData.Pod("a", TestData.V1), TestData.Pod("b", TestData.V2)]);
        var second = Build(TestData.Pool(status: first), [TestData.Pod("a", TestData.V1), TestData.Pod("b", TestData.V2)], now: TestData.Now.AddMinutes(5));
        Assert.Equal(TestData.Now, second.Versions!.Single(v => v.Version == TestData.V1).DrainingSince);
        Assert.Equal(TestData.Now, Condition(second, ConditionTypes.Progressing).LastTransitionTime);
        Assert.True(StatusComparer.Same(first, second));

        var done = Build(TestData.Pool(status: second), [TestData.Pod("b", TestData.V2)], now: TestData.Now.AddMinutes(7));
        var old = done.Versions!.Single(v => v.Version == TestData.V1);
        Assert.Equal(("Retired", TestData.Now.AddMinutes(7), TestData.Now), (old.State, old.RetiredAt!.Value, old.DrainingSince!.Value));
        Assert.Equal(TestData.Now.AddMinutes(7), Condition(done, ConditionTypes.Progressing).LastTransitionTime);
        Assert.False(StatusComparer.Same(second, done));
    }

    [Fact]
    public void ConflictsAreNamed()
    {
        var status = Build(TestData.Pool(), [TestData.Pod("a", TestData.V2)], change: i => i with { ConflictingPools = ["other-pool"] });
        var conflict = Condition(status, ConditionTypes.Conflict);
        Assert.Equal(("True", "PodsSelectedByOtherPools"), (conflict.Status, conflict.Reason));
        Assert.Contains("other-pool", conflict.Message, StringComparison.Ordinal);
    }
}
