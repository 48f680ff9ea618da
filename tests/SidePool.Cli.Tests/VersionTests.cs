using SidePool.Testing;
using Xunit;

namespace SidePool.Cli.Tests;

/// <summary><c>kubectl-sidepool --version</c> prints the one version declared in Directory.Build.props.</summary>
public sealed class VersionTests
{
    [Fact]
    public async Task TheBuiltExecutablePrintsTheDeclaredVersion()
    {
        using var home = new TestDirectory("clihome");
        var result = await ProgramRun.RunAsync(Path.Combine(AppContext.BaseDirectory, "kubectl-sidepool"), ["--version"], home.FullPath);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(SourceTree.DeclaredVersion() + "\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task InProcessTheVersionIsTheCliAssemblysNotTheHosts()
    {
        var result = await CliRunner.RunAsync("--version");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(SourceTree.DeclaredVersion() + "\n", result.Stdout);
    }

    [Fact]
    public async Task AnUnknownFlagIsNamedAsAnUnknownOption()
    {
        var result = await CliRunner.RunAsync("render", "--frobnicate");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown option --frobnicate", Assert.Single(result.Stderr.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
    }
}
