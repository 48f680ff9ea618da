using System.CommandLine;
using SidePool.Bench;

var root = new RootCommand("SidePool measurements (reported, never asserted): see docs/benchmarks.md.")
{
    OperatorMemory.Command(),
    AgentBench.Command(),
    OperatorScale.Command(),
    LeaderHandover.Command(),
    FakeApiServerProcess.Command(),
};
var parsed = root.Parse(args);
return UsageError(parsed, "sidepool-bench") ?? await parsed.InvokeAsync();

// A mistake in the arguments is one line on stderr and exit code 2, like sidepool-operator's.
static int? UsageError(ParseResult parsed, string name)
{
    if (parsed.Errors.Count == 0)
    {
        return null;
    }

    var message = parsed.UnmatchedTokens.FirstOrDefault(t => t.StartsWith('-')) is { } unknown
        ? $"unknown option {unknown.Split('=', 2)[0]}"
        : string.Join(' ', parsed.Errors[0].Message.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
    Console.Error.WriteLine($"{name}: {message} (see {name} --help)");
    return 2;
}
