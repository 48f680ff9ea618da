using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using SidePool.Demo.Cluster;

namespace SidePool.Demo;

/// <summary>
/// <c>make demo</c>: the sandbox, PostgreSQL, the operator, a pool and a 3-replica app under load; then, with the
/// app querying all along: a reload in place, a backend password rotation, a new version that rolls out while the
/// old one drains, and scaling. Live progress, a summary table, a plot; torn down on exit or Ctrl-C. Exit code 1
/// when any app transaction failed.
/// </summary>
internal sealed class DemoRun(string outputDirectory, TextWriter output)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timeline _timeline = new();
    private readonly LoadLedger _ledger = new();
    private string _step = "starting";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        Say("starting PostgreSQL, the sandbox cluster (podman kubelet) and the operator");
        await using var cluster = await SandboxCluster.StartAsync(Say, cancellationToken);
        var app = new ShopApp(cluster);
        await app.CreateAsync("first-password", replicas: 3, cancellationToken: cancellationToken);
        var v1 = (await app.GetPoolAsync(cancellationToken)).Status!.CurrentVersion!;
        Say($"pool {ShopApp.Pool}: version {v1}; Deployment {ShopApp.Deployment}: 3 replicas of {ShopApp.Image}");
        await app.WaitForPodsAsync(3, v1, TimeSpan.FromMinutes(2), cancellationToken);

        await using var follower = new LogFollower(cluster, ShopApp.Namespace, ShopApp.Container, _ledger);
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = SampleAsync(app, follower, stopSampling.Token);
        try
        {
            await SandboxCluster.WaitAsync(() => Task.FromResult(_ledger.Ok > 100), TimeSpan.FromSeconds(60), "the app's first transactions");
            await StepAsync("warm up", () => Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));

            await StepAsync("pool size 4 → 8 (reload in place)", async () =>
            {
                var pods = (await app.PodsAsync(cancellationToken: cancellationToken)).Select(p => p.Metadata!.Name!).Order().ToList();
                var revision = await RevisionAsync(app, cancellationToken);
                await app.PatchPoolAsync(new JsonObject { ["pool"] = new JsonObject { ["size"] = 8 } }, cancellationToken);
                await SandboxCluster.WaitAsync(async () => await RevisionAsync(app, cancellationToken) != revision, TimeSpan.FromSeconds(30), "a new revision");
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken); // the kubelet swaps the volume, the agents reload
                var after = (await app.PodsAsync(cancellationToken: cancellationToken)).Select(p => p.Metadata!.Name!).Order().ToList();
                Say(after.SequenceEqual(pods) ? "same pods, new revision: reloaded in place" : "the pods changed (they should not)");
            });

            await StepAsync("rotate the backend password", async () =>
            {
                var revision = await RevisionAsync(app, cancellationToken);
                await app.RotatePasswordAsync("second-password", cancellationToken);
                await SandboxCluster.WaitAsync(async () => await RevisionAsync(app, cancellationToken) != revision, TimeSpan.FromSeconds(30), "a new revision");
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            });

            var v2 = v1;
            await StepAsync("a restart-only setting (pkt_buf): a new version rolls out", async () =>
            {
                await app.PatchPoolAsync(new JsonObject { ["pool"] = new JsonObject { ["parameters"] = new JsonObject { ["pkt_buf"] = "8192" } } }, cancellationToken);
                await SandboxCluster.WaitAsync(async () => (v2 = (await app.GetPoolAsync(cancellationToken)).Status!.CurrentVersion!) != v1, TimeSpan.FromSeconds(30), "a new version");
                await app.WaitForPodsAsync(3, v2, TimeSpan.FromMinutes(3), cancellationToken);
                await SandboxCluster.WaitAsync(async () => (await app.GetPoolAsync(cancellationToken)).Status!.Versions!.Any(v => v.Version == v1 && v.State == "Retired"), TimeSpan.FromSeconds(60), $"version {v1} retired");
            });

            await StepAsync("scale 3 → 6", async () =>
            {
                await app.ScaleAsync(6);
                await app.WaitForPodsAsync(6, v2, TimeSpan.FromMinutes(2), cancellationToken);
            });

            await StepAsync("scale 6 → 2", async () =>
            {
                await app.ScaleAsync(2);
                await app.WaitForPodsAsync(2, v2, TimeSpan.FromMinutes(2), cancellationToken);
            });

            await StepAsync("cool down", () => Task.Delay(TimeSpan.FromSeconds(3), cancellationToken));
        }
        finally
        {
            await stopSampling.CancelAsync();
            await sampling;
        }

        return Report(await cluster.KubectlAsync("get", "pools", "-A"));
    }

    private int Report(string pools)
    {
        var summary = SummaryTable.Render(_timeline.Summarize());
        var plot = Path.Combine(outputDirectory, "demo.png");
        DemoPlot.Save(_timeline, plot);
        File.WriteAllText(Path.Combine(outputDirectory, "summary.md"), summary);
        output.WriteLine();
        output.WriteLine(pools);
        output.WriteLine(summary);
        output.WriteLine($"plot: {plot}");
        output.WriteLine($"app transactions: {_ledger.Ok} committed, {_ledger.Failed} failed (pods: {_ledger.Pods.Count}, of which {_ledger.Pods.Count(p => p.Value)} stopped cleanly)");
        if (_ledger.Failed == 0)
        {
            output.WriteLine("no transaction failed");
            return 0;
        }

        foreach (var (pod, time, error) in _ledger.Failures.Take(20))
        {
            output.WriteLine($"  failed: {time:HH:mm:ss.fff} {pod}: {error}");
        }

        output.WriteLine($"{_ledger.Failed} transaction(s) failed");
        return 1;
    }

    private async Task StepAsync(string name, Func<Task> action)
    {
        _step = name;
        Say($"step: {name}");
        _timeline.Begin(name, DateTimeOffset.UtcNow);
        await action();
        _timeline.End(DateTimeOffset.UtcNow);
    }

    private static async Task<string?> RevisionAsync(ShopApp app, CancellationToken cancellationToken)
    {
        var pool = await app.GetPoolAsync(cancellationToken);
        return pool.Status?.Versions?.FirstOrDefault(v => v.Version == pool.Status.CurrentVersion)?.ConfigRevision;
    }

    private async Task SampleAsync(ShopApp app, LogFollower follower, CancellationToken cancellationToken)
    {
        long lastOk = 0;
        var lastTime = DateTimeOffset.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var pods = await app.PodsAsync(includeTerminating: true, cancellationToken);
                follower.Follow(pods.Where(p => p.Status?.ContainerStatuses?.Any(c => c.Name == ShopApp.Container && c.State?.Running is not null) == true).Select(p => p.Metadata!.Name!));
                var now = DateTimeOffset.UtcNow;
                var perVersion = ShopApp.PerVersion(pods);
                var (ok, failed) = (_ledger.Ok, _ledger.Failed);
                _timeline.Add(new Sample(now, ok, failed, perVersion));
                var tps = (ok - lastOk) / Math.Max(0.001, (now - lastTime).TotalSeconds);
                (lastOk, lastTime) = (ok, now);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,5:0}s] {_step,-58} | pods {ShopApp.Describe(perVersion),-28} | {tps,5:0} tps | failed {failed}"));
            }
            catch (Exception e) when (e is Kubernetes.Errors.KubernetesApiException or HttpRequestException or IOException)
            {
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Say(string message) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,5:0}s] {message}"));
}
