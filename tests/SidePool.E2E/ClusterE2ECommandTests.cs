using SidePool.Testing;
using Xunit;

namespace SidePool.E2E;

/// <summary>
/// <c>make e2e-k3s</c> and <c>make e2e-cluster</c> (tools/SidePool.ClusterE2E, docs/e2e-cluster.md) where they cannot
/// run: the runner's command line exactly as the Makefile's target has it (<c>make -n</c>), run in a clean environment,
/// stops at once with one line naming what is missing, and writes nothing. The k3s check is pinned to a Docker socket
/// that does not exist (DOCKER_HOST), so it stops the same way on a machine that has Docker.
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
