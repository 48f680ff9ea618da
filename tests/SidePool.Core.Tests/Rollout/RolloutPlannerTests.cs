using SidePool.Contract;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class RolloutPlannerTests
{
    private static readonly string VersionKey = VersionContract.Annotations.TemplateVersion("orders-db");
    private static readonly string RepairKey = VersionContract.Annotations.Repair("orders-db");

    private static WorkloadState State(WorkloadRef w, params (string Key, string Value)[] annotations) =>
        new() { Ref = w, TemplateAnnotations = annotations.ToDictionary(a => a.Key, a => a.Value) };

    [Fact]
    public void StampsWorkloadsWithOutdatedPodsOnce()
    {
        var pods = new[]
        {
            TestData.Pod("web-1", TestData.V1),
            TestData.Pod("web-2", TestData.V2),
            TestData.Pod("db-0", TestData.V1, owner: "db", kind: WorkloadRef.StatefulSet),
            TestData.Pod("agent-x", TestData.V2, owner: "agent", kind: WorkloadRef.DaemonSet),
        };
        var plan = RolloutPlanner.Plan(TestData.Pool(), TestData.V2, pods, w => State(w), TestData.Now, TimeSpan.FromMinutes(5));
        Assert.Equal(["Deployment/web", "StatefulSet/db"], plan.Stamps.Select(s => s.Workload.ToString()));
        Assert.All(plan.Stamps, s => Assert.Equal(TestData.V2, s.Annotations[VersionKey]));

        // Already stamped: rolling, nothing to patch.
        var again = RolloutPlanner.Plan(TestData.Pool(), TestData.V2, pods, w => State(w, (VersionKey, TestData.V2)), TestData.Now, TimeSpan.FromMinutes(5));
        Assert.Empty(again.Stamps);
    }

    [Fact]
    public void PodsCreatedForTheCurrentVersionButRunningAnotherAreReplannedOnce()
    {
        // The template names v2 (stamped), yet a pod created from it runs v1: the webhook did not know v2 yet.
        var stamped = State(new WorkloadRef(WorkloadRef.Deployment, "web"), (VersionKey, TestData.V2));
        var misinjected = TestData.Pod("web-new", TestData.V1, created: TestData.Now.AddMinutes(-1)) with { TemplateVersion = TestData.V2 };
        var plan = RolloutPlanner.Plan(TestData.Pool(), TestData.V2, [misinjected, TestData.Pod("web-old", TestData.V1)], _ => stamped, TestData.Now, TimeSpan.FromMinutes(5));
        var stamp = Assert.Single(plan.Stamps);
        Assert.True(stamp.Repair);
        Assert.Equal(TestData.Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), stamp.Annotations[RepairKey]);

        // While that repair replaces it (the pod is older than the repair stamp), nothing more; pods of the old
        // template (no template version, or an older one) are the rollout's business, not a repair's.
        var repairing = State(new WorkloadRef(WorkloadRef.Deployment, "web"), (VersionKey, TestData.V2), (RepairKey, stamp.Annotations[RepairKey]));
        Assert.Empty(RolloutPlanner.Plan(TestData.Pool(), TestData.V2, [misinjected with { CreatedAt = TestData.Now.AddSeconds(-5) }], _ => repairing, TestData.Now.AddSeconds(1), TimeSpan.FromMinutes(5)).Stamps);
        Assert.Empty(RolloutPlanner.Plan(TestData.Pool(), TestData.V2, [TestData.Pod("web-old", TestData.V1) with { TemplateVersion = TestData.V1 }], _ => stamped, TestData.Now, TimeSpan.FromMinutes(5)).Stamps);

        // Strategy None: never.
        Assert.Empty(RolloutPlanner.Plan(TestData.Pool(s => s.Rollout.Strategy = "None"), TestData.V2, [misinjected], _ => stamped, TestData.Now, TimeSpan.FromMinutes(5)).Stamps);
    }

    [Fact]
    public void JobsAndBarePodsAreReportedNotStamped()
    {
        var pods = new[]
        {
            TestData.Pod("job-1", TestData.V1, owner: "migrate", kind: WorkloadRef.Job),
            TestData.Pod("bare", TestData.V1, owner: "bare", kind: WorkloadRef.Pod),
        };
        var plan = RolloutPlanner.Plan(TestData.Pool(), TestData.V2, pods, w => State(w), TestData.Now, TimeSpan.FromMinutes(5));
        Assert.Empty(plan.Stamps);
        Assert.Equal(["Job/migrate", "Pod/bare"], plan.NotRestartable.Select(w => w.ToString()));
    }

    [Fact]
    public void StrategyNoneStampsNothing()
    {
        var pool = TestData.Pool(s => s.Rollout.Strategy = "None");
        var plan = RolloutPlanner.Plan(pool, TestData.V2, [TestData.Pod("web-1", TestData.V1)], w => State(w), TestData.Now, TimeSpan.FromMinutes(5));
        Assert.Empty(plan.Stamps);
    }

    [Fact]
    public void TerminatingPodsDoNotTriggerStamps()
    {
        var plan = RolloutPlanner.Plan(TestData.Pool(), TestData.V2, [TestData.Pod("web-1", TestData.V1, terminating: true)], w => State(w), TestData.Now, TimeSpan.FromMinutes(5));
        Assert.Empty(plan.Stamps);
    }

    [Fact]
    public void MissingSidecarsAreRepairedOnlyWhenAskedAndNotTooOften()
    {
        var missing = new[] { TestData.Pod("web-1", null, created: TestData.Now.AddMinutes(-2)) };
        Assert.Empty(RolloutPlanner.Plan(TestData.Pool(), TestData.V2, missing, w => State(w), TestData.Now, TimeSpan.FromMinutes(5)).Stamps);

        var pool = TestData.Pool(s => s.Rollout.RepairMissing = true);
        var first = Assert.Single(RolloutPlanner.Plan(pool, TestData.V2, missing, w => State(w), TestData.Now, TimeSpan.FromMinutes(5)).Stamps);
        Assert.True(first.Repair);
        Assert.Equal("2026-01-02T03:04:05Z", first.Annotations[RepairKey]);

        // The repair is still replacing a pod from before it: wait.
        var stampedAfter = TestData.Now.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Empty(RolloutPlanner.Plan(pool, TestData.V2, missing, w => State(w, (RepairKey, stampedAfter)), TestData.Now.AddHours(1), TimeSpan.FromMinutes(5)).Stamps);

        // New pods still lack the sidecar (webhook still down): retry only after the interval.
        var newMissing = new[] { TestData.Pod("web-2", null, created: TestData.Now) };
        var stamped = TestData.Now.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Empty(RolloutPlanner.Plan(pool, TestData.V2, newMissing, w => State(w, (RepairKey, stamped)), TestData.Now, TimeSpan.FromMinutes(5)).Stamps);
        Assert.Single(RolloutPlanner.Plan(pool, TestData.V2, newMissing, w => State(w, (RepairKey, stamped)), TestData.Now.AddMinutes(10), TimeSpan.FromMinutes(5)).Stamps);
    }
}
