using System.CommandLine;
using SidePool.Bench;

var root = new RootCommand("SidePool measurements (reported, never asserted): see docs/benchmarks.md.")
{
    OperatorMemory.Command(),
    OperatorScale.Command(),
    LeaderHandover.Command(),
    FakeApiServerProcess.Command(),
};
return await root.Parse(args).InvokeAsync();
