using System.Text.RegularExpressions;
using SidePool.Testing;
using Xunit;

namespace SidePool.Cli.Tests;

/// <summary>
/// Every executable we build prints the one product version (<c>&lt;Version&gt;</c> in Directory.Build.props) for
/// <c>--version</c>, a help text for <c>--help</c>, and a mistake in its arguments as one line (exit code 2); each
/// runs as its own built process.
/// </summary>
public sealed partial class ExecutablesTests : IDisposable
{
    /// <summary>The executables checked here: project folder, assembly name.</summary>
    public static TheoryData<string, string> Executables => new()
    {
        { "src/SidePool.Operator", "sidepool-operator" },
        { "src/SidePool.Cli", "kubectl-sidepool" },
        { "tools/SidePool.Sandbox", "sidepool-sandbox" },
        { "tools/SidePool.Demo", "sidepool-demo" },
        { "tools/SidePool.ClusterE2E", "sidepool-cluster-e2e" },
        { "bench/SidePool.Bench", "sidepool-bench" },
    };

    /// <summary>Executables of the repository not checked here, and why.</summary>
    private static readonly Dictionary<string, string> NotChecked = new(StringComparer.Ordinal)
    {
        ["src/SidePool.Agent"] = "the agent has its own parser (issue 11 item 5 for the agent is another change)",
        ["tools/SidePool.LoadGen"] = "the load generator is configured by environment variables and prints 'sidepool-loadgen <version>'",
    };

    private readonly TestDirectory _home = new("exehome");

    public void Dispose() => _home.Dispose();

    [Theory]
    [MemberData(nameof(Executables))]
    public async Task VersionPrintsTheDeclaredVersionAlone(string project, string name)
    {
        var result = await ProgramRun.RunAsync(Built(project, name), ["--version"], _home.FullPath);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(SourceTree.DeclaredVersion() + "\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [MemberData(nameof(Executables))]
    public async Task HelpDescribesTheUsageAndBothFlags(string project, string name)
    {
        var result = await ProgramRun.RunAsync(Built(project, name), ["--help"], _home.FullPath);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"  {name}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--help", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--version", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [MemberData(nameof(Executables))]
    public async Task AnUnknownFlagIsOneLineNamingItAndExitCode2(string project, string name)
    {
        var result = await ProgramRun.RunAsync(Built(project, name), ["--frobnicate=1"], _home.FullPath);
        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.StderrLines);
        Assert.Contains("unknown option --frobnicate", line, StringComparison.Ordinal);
        Assert.Contains($"(see {name} --help)", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void EveryExecutableOfTheRepositoryIsCheckedOrSaysWhyNot()
    {
        var checkedProjects = Executables.Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        var executables = new[] { "src", "tools", "bench" }
            .SelectMany(folder => Directory.EnumerateFiles(SourceTree.PathOf(folder), "*.csproj", SearchOption.AllDirectories))
            .Where(csproj => ExeOutput().IsMatch(File.ReadAllText(csproj)))
            .Select(csproj => Path.GetRelativePath(SourceTree.Root, Path.GetDirectoryName(csproj)!).Replace('\\', '/'))
            .ToList();
        Assert.NotEmpty(executables);
        Assert.All(executables, project => Assert.True(checkedProjects.Contains(project) || NotChecked.ContainsKey(project), $"{project} builds an executable: check its --version and --help here"));
        Assert.All(checkedProjects, project => Assert.Contains(project, executables));
    }

    /// <summary>A project's own build output, with this test's configuration and framework.</summary>
    private static string Built(string project, string name)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var path = Path.Combine(SourceTree.Root, project, "bin", output.Parent!.Name, output.Name, name);
        Assert.True(File.Exists(path), $"{name} is not built: {path}");
        return path;
    }

    [GeneratedRegex(@"<OutputType>\s*Exe\s*</OutputType>")]
    private static partial Regex ExeOutput();
}
