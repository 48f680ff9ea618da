using System.Text.Json.Nodes;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class InjectionReportTests
{
    [Fact]
    public void Warnings_outcomes_and_conflicts_are_kept_in_decision_order()
    {
        var report = new InjectionReport();
        var injected = new PoolOutcome("a", PoolInjectionStatus.Injected, "aaaaaaaaaa");
        var conflict = new PortConflict("b", "a", 6432);
        var pool = TestPools.Pool("a");
        var settings = new InjectionOptions();
        var contract = PodContract.Build(pool.Inputs(settings), settings, "a-aaaaaaaaaa", 9127);

        report.Record(new PoolDecision.Inject(injected, ["a: unknown container"], contract, [], 9127));
        report.Warn(["a: env kept"]);
        report.Record(new PoolDecision.Skip(new PoolOutcome("b", PoolInjectionStatus.PortConflict, "bbbbbbbbbb"), ["b: port taken"], conflict));
        report.Record(new PoolDecision.Skip(new PoolOutcome("c", PoolInjectionStatus.AlreadyInjected, "cccccccccc"), [], null));
        var patch = new JsonArray();
        var result = report.Result(patch);

        Assert.Same(patch, result.Patch);
        Assert.Equal(["a: unknown container", "a: env kept", "b: port taken"], result.Warnings);
        Assert.Equal(["a", "b", "c"], result.Pools.Select(p => p.Pool));
        Assert.Equal(injected, result.Pools[0]);
        Assert.Equal([conflict], result.Conflicts);
        Assert.Equal(["b"], result.Missing.Select(m => m.Pool));
    }
}
