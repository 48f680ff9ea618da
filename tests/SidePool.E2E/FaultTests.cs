using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using SidePool.Demo.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.E2E;

/// <summary>
/// What a platform engineer fears, on the sandbox with real containers: a username change, the operator killed in
/// the middle of a rollout, the webhook down when a pod is created, and PostgreSQL restarting under load.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class FaultTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    private static readonly TimeSpan Rollout = TimeSpan.FromMinutes(3);

    private SandboxCluster Cluster => sandbox.Cluster;

    [Fact]
    public async Task A_username_change_rolls_out_a_new_version_and_the_app_keeps_committing()
    {
        var app = new ShopApp(Cluster, "rename");
        var v1 = await StartAsync(app, replicas: 2);
        await using var load = AppLoad.Start(Cluster, app);
        await load.ProgressAsync(200, TimeSpan.FromSeconds(60));

        await app.ChangeUserAsync("rename_app2", "rename-password");
        var v2 = await NewVersionAsync(app, v1);
        await app.WaitForPodsAsync(2, v2, Rollout);
        await RetiredAsync(app, v1);
        await load.ProgressAsync(200, TimeSpan.FromSeconds(60));

        Assert.True(load.Ledger.Failed == 0, $"{load.Ledger.Failed} app transactions failed:\n{load.DescribeFailures()}");
        var asNewUser = await Cluster.Postgres.QueryScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE usename = 'rename_app2' AND datname = 'rename'");
        Assert.True(asNewUser > 0, "no server connection logs in as the new user");
        output.WriteLine($"{v1} → {v2}: {load.Ledger.Ok} committed, 0 failed; {asNewUser} server connections as rename_app2");
        await app.StopAsync();
    }

    [Fact]
    public async Task The_operator_killed_mid_rollout_converges_after_its_restart()
    {
        var app = new ShopApp(Cluster, "crash");
        var v1 = await StartAsync(app, replicas: 3);
        await using var load = AppLoad.Start(Cluster, app);
        await load.ProgressAsync(200, TimeSpan.FromSeconds(60));

        await app.PatchPoolAsync(new JsonObject { ["pool"] = new JsonObject { ["parameters"] = new JsonObject { ["pkt_buf"] = "8192" } } });
        var v2 = await NewVersionAsync(app, v1);
        await Cluster.KillOperatorAsync(); // SIGKILL, the moment the new version is published
        var atKill = ShopApp.Describe(app.PerVersion(await app.PodsAsync(includeTerminating: true)));
        await Task.Delay(TimeSpan.FromSeconds(5));
        await Cluster.StartOperatorAsync(CancellationToken.None);

        await app.WaitForPodsAsync(3, v2, Rollout);
        await RetiredAsync(app, v1);
        var pool = await app.GetPoolAsync();
        var versions = pool.Status!.Versions!.Select(v => v.Version!).ToList();
        Assert.Equal(versions.Distinct().Count(), versions.Count);
        Assert.Equal([v2, v1], versions.Take(2));
        Assert.True(load.Ledger.Failed == 0, $"{load.Ledger.Failed} app transactions failed:\n{load.DescribeFailures()}");
        output.WriteLine($"killed with pods {atKill}; converged to {pool.Status.PodsPerVersion}; {load.Ledger.Ok} committed, 0 failed");
        await app.StopAsync();
    }

    [Fact]
    public async Task A_pod_created_while_the_webhook_is_down_is_reported_and_repaired_by_a_restart()
    {
        var app = new ShopApp(Cluster, "nohook");
        var v1 = await StartAsync(app, replicas: 2);

        await Cluster.KillOperatorAsync(); // the webhook is down; failurePolicy Ignore admits pods as they are
        await app.ScaleAsync(3);
        await SandboxCluster.WaitAsync(async () => app.PerVersion(await app.PodsAsync()).ContainsKey("none"), TimeSpan.FromSeconds(60), "a pod without the sidecar");
        var bare = (await app.PodsAsync()).Single(p => !app.PerVersion([p]).ContainsKey(v1)).Metadata!.Name!;

        var reported = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var watching = WatchPoolAsync(app, pool =>
        {
            if (pool.Status?.Targets?.Missing > 0 && pool.Status.Conditions?.FirstOrDefault(c => c.Type == "Degraded" && c.Reason == "SidecarMissing") is { } degraded)
            {
                reported.Enqueue(degraded.Message ?? "");
            }
        }, stop.Token);
        await Cluster.StartOperatorAsync(CancellationToken.None);

        await app.WaitForPodsAsync(3, v1, Rollout); // the workload restarted: every pod has the sidecar
        await stop.CancelAsync();
        await watching;
        Assert.True(!reported.IsEmpty, "the pool never reported the pod without the sidecar");
        Assert.Contains(bare, reported.First(), StringComparison.Ordinal);
        Assert.DoesNotContain(bare, (await app.PodsAsync()).Select(p => p.Metadata!.Name!));
        output.WriteLine($"reported: {reported.First()}");
        await app.StopAsync();
    }

    [Fact]
    public async Task A_postgresql_restart_keeps_every_app_pod_ready_and_the_app_recovers()
    {
        var app = new ShopApp(Cluster, "blip");
        await StartAsync(app, replicas: 2);
        await using var load = AppLoad.Start(Cluster, app);
        await load.ProgressAsync(200, TimeSpan.FromSeconds(60));
        var before = (await app.PodsAsync()).ToDictionary(p => p.Metadata!.Name!, Restarts, StringComparer.Ordinal);

        var notReady = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var watching = WatchPodsAsync(app, pod =>
        {
            if (!ShopApp.Ready(pod))
            {
                notReady.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {pod.Metadata!.Name}");
            }
        }, stop.Token);
        await Cluster.Postgres.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        await Cluster.Postgres.StartAgainAsync();
        await load.ProgressAsync(300, TimeSpan.FromSeconds(90)); // the app commits again
        await stop.CancelAsync();
        await watching;

        Assert.True(notReady.IsEmpty, $"pods went NotReady: {string.Join(", ", notReady.Take(10))}");
        var after = (await app.PodsAsync()).ToDictionary(p => p.Metadata!.Name!, Restarts, StringComparer.Ordinal);
        Assert.Equal(before, after); // the same pods, no container restarted
        output.WriteLine($"while PostgreSQL was down for 5 s: {load.Ledger.Failed} app transactions failed (expected: the database was gone), pods stayed Ready; then {load.Ledger.Ok} committed in all");
        await app.StopAsync();
    }

    private static int Restarts(Pod pod) =>
        (pod.Status?.ContainerStatuses ?? []).Concat(pod.Status?.InitContainerStatuses ?? []).Sum(c => c.RestartCount);

    /// <summary>Creates the app and waits until its pods run the pool's first version; returns that version.</summary>
    private async Task<string> StartAsync(ShopApp app, int replicas)
    {
        await app.CreateAsync($"{app.Namespace}-password", replicas);
        var v1 = (await app.GetPoolAsync()).Status!.CurrentVersion!;
        await app.WaitForPodsAsync(replicas, v1, Rollout);
        return v1;
    }

    private static async Task<string> NewVersionAsync(ShopApp app, string old)
    {
        var current = old;
        await SandboxCluster.WaitAsync(async () => (current = (await app.GetPoolAsync()).Status?.CurrentVersion ?? old) != old, TimeSpan.FromSeconds(30), "a new pool version");
        return current;
    }

    private static Task RetiredAsync(ShopApp app, string version) =>
        SandboxCluster.WaitAsync(
            async () => (await app.GetPoolAsync()).Status?.Versions?.FirstOrDefault(v => v.Version == version) is null or { State: "Retired" },
            TimeSpan.FromSeconds(90),
            $"version {version} retired");

    private static Task WatchPoolAsync(ShopApp app, Action<Api.ConnectionPool> see, CancellationToken cancellationToken) =>
        Polling.EveryAsync(TimeSpan.FromMilliseconds(200), async () => see(await app.GetPoolAsync(cancellationToken)), cancellationToken);

    private static Task WatchPodsAsync(ShopApp app, Action<Pod> see, CancellationToken cancellationToken) =>
        Polling.EveryAsync(TimeSpan.FromMilliseconds(200), async () => (await app.PodsAsync(cancellationToken: cancellationToken)).ForEach(see), cancellationToken);
}
