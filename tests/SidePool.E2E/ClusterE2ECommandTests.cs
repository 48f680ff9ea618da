using SidePool.ClusterE2E;
using SidePool.Demo;
using SidePool.Testing;
using Xunit;

namespace SidePool.E2E;

/// <summary>
/// <c>make e2e-k3s</c> and <c>make e2e-cluster</c> (tools/SidePool.ClusterE2E, docs/e2e-cluster.md) where they cannot
/// run: the runner's command line exactly as the Makefile's target has it (<c>make -n</c>), run in a clean environment,
/// stops at once with one line naming what is missing, and writes nothing. The k3s check is pinned to a Docker socket
/// that does not exist (DOCKER_HOST), so it stops the same way on a machine that has Docker. And the verdicts it
/// draws from a tour (pure).
/// </summary>
public sealed class ClusterE2ECommandTests
{
    [Fact]
    public async Task E2e_k3s_without_a_docker_engine_is_one_line_naming_docker_and_nothing_else_happens()
    {
        using var directory = new TestDirectory("e2e-k3s");
        var home = directory.CreateSubdirectory("home");
        var socket = directory.PathOf("docker.sock");

        var result = await RunTargetAsync("e2e-k3s", directory, home, new Dictionary<string, string> { ["DOCKER_HOST"] = $"unix://{socket}" });

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.Equal(
            $"e2e-k3s: no Docker engine (unix://{socket}: no such socket): make e2e-k3s needs Docker; use make e2e-cluster KUBECONFIG=<file> with any cluster",
            Assert.Single(result.StderrLines));
        // Nothing was exported, started or written: no output directory (image archives, kubeconfig), nothing in HOME.
        Assert.False(Directory.Exists(directory.PathOf("out/k3s")), "the output directory was created");
        Assert.Empty(Directory.EnumerateFileSystemEntries(home));
    }

    [Fact]
    public async Task E2e_cluster_with_a_missing_kubeconfig_is_one_line_naming_the_file()
    {
        using var directory = new TestDirectory("e2e-cluster");
        var home = directory.CreateSubdirectory("home");
        var missing = directory.PathOf("missing-kubeconfig");

        var result = await RunTargetAsync("e2e-cluster", directory, home, new Dictionary<string, string> { ["KUBECONFIG"] = missing });

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.Equal($"e2e-cluster: kubeconfig {missing}: no such file", Assert.Single(result.StderrLines));
        Assert.False(Directory.Exists(directory.PathOf("out/cluster")), "the output directory was created");
    }

    [Fact]
    public async Task E2e_cluster_whose_cluster_does_not_answer_is_one_line_naming_the_file()
    {
        using var directory = new TestDirectory("e2e-cluster");
        var home = directory.CreateSubdirectory("home");
        var port = FreePort.Next(); // nothing listens there
        var kubeconfig = directory.WriteFile("kubeconfig", $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: gone, cluster: {server: "https://127.0.0.1:{{{port}}}", insecure-skip-tls-verify: true}}]
            users: [{name: gone, user: {token: t}}]
            contexts: [{name: gone, context: {cluster: gone, user: gone}}]
            current-context: gone
            """);

        var result = await RunTargetAsync("e2e-cluster", directory, home, new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig });

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"e2e-cluster: kubeconfig {kubeconfig}: the cluster does not answer: ", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory.PathOf("out/cluster")), "the output directory was created");
    }

    [Fact]
    public void A_clean_tour_passes_every_scenario()
    {
        var checks = Check.FromTour(Tour());

        Assert.Equal([Check.Injected, Check.ReloadInPlace, Check.NewVersion, Check.GetPools], checks.Select(c => c.Name));
        Assert.All(checks, c => Assert.True(c.Passed, c.ToString()));
        Assert.StartsWith("PASS ", checks[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_transaction_a_replaced_pod_a_version_not_retired_or_a_wrong_count_fails_its_scenario()
    {
        var failed = Check.FromTour(Tour() with { Failed = 1, Failures = [("loadgen-a", DateTimeOffset.UnixEpoch, "08006 server closed the connection unexpectedly")] });
        Assert.Equal([false, true, false, true], failed.Select(c => c.Passed));
        Assert.Contains("loadgen-a: 08006 server closed the connection unexpectedly", failed[0].Detail, StringComparison.Ordinal);

        Assert.False(Check.FromTour(Tour() with { ReloadedInPlace = false })[1].Passed);
        Assert.False(Check.FromTour(Tour() with { FirstVersionState = "Draining" })[2].Passed);
        Assert.False(Check.FromTour(Tour() with { SecondVersion = "v1" })[2].Passed);
        Assert.False(Check.FromTour(Tour() with { StatusPodsPerVersion = new Dictionary<string, int> { ["v2"] = 2, ["v1"] = 1 } })[3].Passed);
        Assert.False(Check.FromTour(Tour() with { GetPools = "NAMESPACE NAME VERSIONS\ne2etour e2etour-db v2:1" })[3].Passed);
        Assert.False(Check.FromTour(Tour() with { Committed = 0, Pods = new Dictionary<string, bool>() })[0].Passed);
    }

    private static DemoResult Tour() => new()
    {
        Committed = 5_000,
        Failed = 0,
        Failures = [],
        Pods = new Dictionary<string, bool> { ["loadgen-a"] = true, ["loadgen-b"] = false },
        FirstVersion = "v1",
        SecondVersion = "v2",
        ReloadedInPlace = true,
        FirstVersionState = "Retired",
        StatusPodsPerVersion = new Dictionary<string, int> { ["v2"] = 2 },
        PodsPerVersion = new Dictionary<string, int> { ["v2"] = 2 },
        GetPools = "NAMESPACE NAME VERSIONS\ne2etour e2etour-db v2:2",
        PeakServerConnections = 8,
        Budget = 60,
        PeakStatusTotal = 16,
        Summary = "",
        PlotPath = "demo.png",
    };

    /// <summary>
    /// The Makefile target's runner line (<c>make -n</c>, with this build's configuration and the output under
    /// <paramref name="directory"/>), run from the repository root in a clean environment (<see cref="ProgramRun"/>).
    /// The target's other line builds the runner, which this test project's build already did.
    /// </summary>
    private static async Task<ProgramResult> RunTargetAsync(string target, TestDirectory directory, string home, Dictionary<string, string> environment)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        var variables = environment.Select(v => $"{v.Key}={v.Value}").Where(v => v.StartsWith("KUBECONFIG=", StringComparison.Ordinal));
        var dryRun = await ProgramRun.RunAsync("/usr/bin/make", ["-n", "-s", "-C", SourceTree.Root, target, $"E2E_OUT={directory.PathOf("out")}", $"CONFIGURATION={configuration}", .. variables], home);
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        var runner = Assert.Single(dryRun.Stdout.Split('\n'), l => l.Contains("sidepool-cluster-e2e.dll", StringComparison.Ordinal));
        return await ProgramRun.RunAsync("/bin/sh", ["-c", $"cd '{SourceTree.Root}' && {runner}"], home, environment);
    }
}
