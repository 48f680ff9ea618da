using System.CommandLine;
using SidePool.Bench;
using SidePool.Tools;

var root = new RootCommand("SidePool measurements (reported, never asserted): see docs/benchmarks.md.")
{
    BenchAll.Command(),
    OperatorMemory.Command(),
    AgentBench.Command(),
    PgbenchMatrix.Command(),
    WebhookLatency.Command(),
    OperatorScale.Command(),
    LeaderHandover.Command(),
    FakeApiServerProcess.Command(),
};
var parsed = root.Parse(args);
return UsageErrors.Report(parsed, "sidepool-bench") ?? await parsed.InvokeAsync();
