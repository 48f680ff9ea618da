using SidePool.Testing;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>The built <c>sidepool-operator</c> run as a process with a clean environment (no kubeconfig, not in a cluster).</summary>
public sealed class OperatorProcessTests : IDisposable
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "sidepool-operator");
    private readonly TestDirectory _home = new("ophome");

    public void Dispose() => _home.Dispose();

    private Task<ProgramResult> RunAsync(params string[] args) => ProgramRun.RunAsync(Executable, args, _home.FullPath);

    private static void AssertOneLineUserError(ProgramResult result, params string[] parts)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("sidepool-operator: ", line, StringComparison.Ordinal);
        foreach (var part in parts)
        {
            Assert.Contains(part, line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task VersionPrintsTheVersionDeclaredInDirectoryBuildProps()
    {
        var result = await RunAsync("--version");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(SourceTree.DeclaredVersion() + "\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task HelpListsTheFlagsAndExitsZero()
    {
        var result = await RunAsync("--help");
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var flag in new[] { "--namespace", "--metrics-port", "--leader-elect", "--cert-mode", "--agent-port", "--version", "--help" })
        {
            Assert.Contains(flag, result.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("--frobnicate", "1")]
    [InlineData("--frobnicate=1")]
    [InlineData("--namespace", "shop", "--frobnicate")]
    public async Task AnUnknownFlagIsNamedAsAnUnknownOption(params string[] args) =>
        AssertOneLineUserError(await RunAsync(args), "unknown option --frobnicate");

    [Fact]
    public async Task AFlagWithoutItsValueSaysSo() =>
        AssertOneLineUserError(await RunAsync("--namespace"), "--namespace needs a value");

    [Fact]
    public async Task ABadValueNamesTheFlag() =>
        AssertOneLineUserError(await RunAsync("--metrics-port", "0"), "--metrics-port", "'0'");
}
