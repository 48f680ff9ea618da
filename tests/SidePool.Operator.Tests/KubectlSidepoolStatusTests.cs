using System.Text.Json.Nodes;
using SidePool.Contract;
using SidePool.Operator.Tests.Support;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests;

/// <summary>
/// Issue 12, item 5: <c>kubectl sidepool status POOL</c>, through the real kubectl, against a cluster the operator runs
/// (API server, Deployment controller, webhook, pods): after a rollout the one screen shows both versions with their
/// states, every pod with the version its label says, the budget, the conditions and the operator's events.
/// </summary>
public sealed class KubectlSidepoolStatusTests(ITestOutputHelper output)
{
    private const string Ns = InjectingCluster.Ns;

    [Fact]
    public async Task Status_shows_versions_pods_budget_conditions_and_events_of_a_rolled_pool()
    {
        await using var cluster = await InjectingCluster.StartAsync();
        var h = cluster.Harness;
        using var home = new TestDirectory("status");
        var kubeconfig = h.Server.WriteKubeconfig(Path.Combine(home.FullPath, "kubeconfig"), Ns);

        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "s3cret-backend-pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web", s => s.Backend!.MaxConnections = 50));
        var v1 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        await cluster.CreateDeploymentAsync("web", "web", replicas: 2);
        await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Versions?.FirstOrDefault(v => v.Version == v1)?.ReadyPods == 2, "2 ready pods on v1", TimeSpan.FromSeconds(60));

        await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } });
        var pool = await h.PoolWhenAsync(
            Ns,
            "orders",
            p => p.Status?.CurrentVersion is { } c && c != v1 && p.Status.Versions!.Any(v => v.Version == c && v.ReadyPods == 2) &&
                 p.Status.Versions!.Any(v => v.Version == v1 && v.State == "Retired"),
            "v2 on both pods, v1 retired",
            TimeSpan.FromSeconds(90));
        var v2 = pool.Status!.CurrentVersion!;
        await OperatorHarness.EventuallyAsync(() => h.EventsAsync(Ns), events => events.Any(e => e.Reason == "VersionRetired"), what: "VersionRetired event");

        var result = await KubectlAsync(home.FullPath, "sidepool", "status", "orders", "--kubeconfig", kubeconfig);
        output.WriteLine(result.Stdout + result.Stderr);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        var lines = result.Stdout.Split('\n');

        Assert.Equal($"ConnectionPool {Ns}/orders", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  Current version:", StringComparison.Ordinal) && l.EndsWith(v2, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  Selector:", StringComparison.Ordinal) && l.EndsWith("app=web", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  Targets:", StringComparison.Ordinal) && l.Contains("1 workloads, 2 pods: 2 injected, 0 outdated", StringComparison.Ordinal));
        var connections = pool.Status.ServerConnections!;
        // the live budget's split (docs/budget.md): the share, the pods it was computed for, who is admitted
        Assert.NotNull(connections.Share);
        Assert.Contains(lines, l => l.StartsWith("  Server connections:", StringComparison.Ordinal) &&
            l.Contains($"{connections.Total} at most (share {connections.Share} per pod and entry for {connections.PlannedPods} planned pods; {connections.Admitted} admitted, {connections.Pending} pending, {connections.Unmanaged} unmanaged) of a budget of 50", StringComparison.Ordinal));

        // one row per version, with its state and pod counts
        Assert.Contains(lines, l => Columns(l) is [var v, "Current", "2", "2", "0", _] && v == v2);
        Assert.Contains(lines, l => Columns(l) is [var v, "Retired", "0", "0", "0", _] && v == v1);

        // every condition the status holds, with its status and reason
        Assert.All(pool.Status.Conditions!, c => Assert.Contains(lines, l => Columns(l) is [var type, var status, var reason, ..] && type == c.Type && status == c.Status && reason == c.Reason));

        // every pod of the Deployment, with the version its label says and both containers ready (app + native sidecar)
        var pods = await cluster.PodsAsync("web");
        Assert.Equal(2, pods.Count(p => p.Metadata.DeletionTimestamp is null));
        Assert.All(pods.Where(p => p.Metadata.DeletionTimestamp is null), p =>
            Assert.Contains(lines, l => Columns(l) is [var name, var version, "2/2", "Running", "0", _] && name == p.Metadata.Name && version == VersionContract.Labels.VersionOf(p.Metadata.Labels, "orders") && version == v2));

        // the operator's events about this pool, by reason
        var reasons = (await h.EventsAsync(Ns)).Where(e => e.Regarding?.Name == "orders").Select(e => e.Reason).Distinct().ToList();
        Assert.Contains("VersionCreated", reasons);
        Assert.All(reasons, reason => Assert.Contains(lines, l => Columns(l) is [_, "Normal" or "Warning", var r, ..] && r == reason));

        // the screen names Secrets, never what they hold
        Assert.DoesNotContain("s3cret-backend-pw", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pool_that_does_not_exist_is_one_line_and_exit_code_2()
    {
        await using var harness = await OperatorHarness.StartAsync(startController: false);
        using var home = new TestDirectory("status");
        var kubeconfig = harness.Server.WriteKubeconfig(Path.Combine(home.FullPath, "kubeconfig"), Ns);

        var result = await KubectlAsync(home.FullPath, "sidepool", "status", "nope", "-n", "team-a", "--kubeconfig", kubeconfig);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: connectionpool \"nope\" not found in namespace \"team-a\"\n", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task An_unreachable_API_server_is_one_line_and_exit_code_1()
    {
        using var home = new TestDirectory("status");
        var kubeconfig = Path.Combine(home.FullPath, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $"apiVersion: v1\nkind: Config\nclusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{FreePort.Next()}'}}}}]\ncontexts: [{{name: c, context: {{cluster: c, user: u}}}}]\nusers: [{{name: u, user: {{}}}}]\ncurrent-context: c\n");

        var result = await KubectlAsync(home.FullPath, "sidepool", "status", "orders", "--kubeconfig", kubeconfig);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: cannot reach the API server: ", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
    }

    private static string[] Columns(string line) => line.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The real kubectl in a clean environment, with the built plugin first on PATH (so <c>kubectl sidepool</c> finds it).</summary>
    private static Task<ProgramResult> KubectlAsync(string home, params string[] args) =>
        ProgramRun.RunAsync("kubectl", args, home, new Dictionary<string, string> { ["PATH"] = $"{Path.GetDirectoryName(Binaries.KubectlSidepool)}:/usr/local/bin:/usr/bin:/bin" });
}
