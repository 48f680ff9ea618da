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
    /// <summary>The pool's server-connection budget (backend.maxConnections) in the demo.</summary>
    public const int Budget = 60;

    private readonly ScenarioWatch _watch = new(output);
    private int _peakServerConnections;
    private int _peakStatusTotal;
    private bool _reloadedInPlace = true;

    /// <summary>Runs the demo; <see cref="ExitCode"/> turns the result into the process' exit code.</summary>
    public async Task<DemoResult> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        _watch.Say("starting PostgreSQL, the sandbox cluster (podman kubelet) and the operator");
        await using var cluster = await SandboxCluster.StartAsync(_watch.Say, cancellationToken);
        return await RunAsync(cluster, new ShopApp(cluster), cancellationToken);
    }

    /// <summary>
    /// The tour on a running cluster (the sandbox, or a real one: tools/SidePool.ClusterE2E), with an app not created yet
    /// (the end-to-end tests share a cluster).
    /// </summary>
    public async Task<DemoResult> RunAsync(IAppCluster cluster, ShopApp app, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        await app.CreateAsync("first-password", replicas: 3, spec => spec.Backend!.MaxConnections = Budget, cancellationToken);
        var v1 = (await app.GetPoolAsync(cancellationToken)).Status!.CurrentVersion!;
        _watch.Say($"pool {app.Pool}: version {v1}; Deployment {app.Deployment}: 3 replicas of the load generator");
        await app.WaitForPodsAsync(3, v1, TimeSpan.FromMinutes(2), cancellationToken);

        await using var follower = new LogFollower(cluster, app.Namespace, ShopApp.Container, _watch.Ledger);
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = _watch.SampleAsync(app, follower, detail: null, stopSampling.Token);
        var counting = CountServerConnectionsAsync(app, stopSampling.Token);
        var v2 = v1;
        try
        {
            await SandboxCluster.WaitAsync(() => Task.FromResult(_watch.Ledger.Ok > 100), TimeSpan.FromSeconds(60), "the app's first transactions");
            await _watch.StepAsync("warm up", () => Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));

            await _watch.StepAsync("pool size 4 → 8 (reload in place)", () => ReloadInPlaceAsync(
                app,
                () => app.PatchPoolAsync(new JsonObject { ["pool"] = new JsonObject { ["size"] = 8 } }, cancellationToken),
                "same pods, new revision: reloaded in place",
                cancellationToken));

            await _watch.StepAsync("rotate the backend password", () => ReloadInPlaceAsync(
                app,
                () => app.RotatePasswordAsync("second-password", cancellationToken),
                "same pods, new password: reloaded in place",
                cancellationToken));

            await _watch.StepAsync("a restart-only setting (pkt_buf): a new version rolls out", async () => v2 = await app.RollOutNewVersionAsync(v1, replicas: 3, cancellationToken));

            await _watch.StepAsync("scale 3 → 6", async () =>
            {
                await app.ScaleAsync(6);
                await app.WaitForPodsAsync(6, v2, TimeSpan.FromMinutes(2), cancellationToken);
            });

            await _watch.StepAsync("scale 6 → 2", async () =>
            {
                await app.ScaleAsync(2);
                await app.WaitForPodsAsync(2, v2, TimeSpan.FromMinutes(2), cancellationToken);
            });

            await _watch.StepAsync("cool down", () => Task.Delay(TimeSpan.FromSeconds(3), cancellationToken));
        }
        finally
        {
            await stopSampling.CancelAsync();
            await sampling;
            await counting;
        }

        var pool = await app.GetPoolAsync(cancellationToken);
        var summary = SummaryTable.Render(_watch.Timeline.Summarize());
        var plot = Path.Combine(outputDirectory, "demo.png");
        DemoPlot.Save(_watch.Timeline, plot);
        var result = new DemoResult
        {
            Committed = _watch.Ledger.Ok,
            Failed = _watch.Ledger.Failed,
            Failures = _watch.Ledger.Failures,
            Pods = _watch.Ledger.Pods,
            FirstVersion = v1,
            SecondVersion = v2,
            ReloadedInPlace = _reloadedInPlace,
            FirstVersionState = pool.Status?.Versions?.FirstOrDefault(v => v.Version == v1)?.State,
            StatusPodsPerVersion = (pool.Status?.Versions ?? []).Where(v => v.Pods > 0).ToDictionary(v => v.Version!, v => v.Pods!.Value, StringComparer.Ordinal),
            PodsPerVersion = app.PerVersion(await app.PodsAsync(includeTerminating: true, cancellationToken)),
            GetPools = await cluster.KubectlAsync("get", "pools", "-A"),
            PeakServerConnections = _peakServerConnections,
            Budget = Budget,
            PeakStatusTotal = _peakStatusTotal,
            Summary = summary,
            PlotPath = plot,
        };
        File.WriteAllText(Path.Combine(outputDirectory, "summary.md"), summary + Totals(result) + "\n");
        Report(result);
        return result;
    }

    /// <summary>0 when every app transaction committed, else 1.</summary>
    public static int ExitCode(DemoResult result) => result.Failed == 0 ? 0 : 1;

    private static string Totals(DemoResult result) => string.Create(
        CultureInfo.InvariantCulture,
        $"\napp transactions: {result.Committed} committed, {result.Failed} failed (app pods: {result.Pods.Count}, {result.Pods.Count(p => p.Value)} stopped cleanly with final counts)\n" +
        $"server connections at PostgreSQL: peak {result.PeakServerConnections} (budget backend.maxConnections {result.Budget}; the status' largest perPod x pods {result.PeakStatusTotal})\n" +
        $"versions: {result.FirstVersion} → {result.SecondVersion} ({result.FirstVersion} {result.FirstVersionState ?? "gone"})\n");

    private void Report(DemoResult result)
    {
        output.WriteLine();
        output.WriteLine(result.GetPools);
        output.WriteLine(result.Summary);
        output.Write(Totals(result));
        output.WriteLine($"plot: {result.PlotPath}");
        if (result.Failed == 0)
        {
            output.WriteLine("no transaction failed");
            return;
        }

        foreach (var (pod, time, error) in result.Failures.Take(20))
        {
            output.WriteLine($"  failed: {time:HH:mm:ss.fff} {pod}: {error}");
        }

        output.WriteLine($"{result.Failed} transaction(s) failed");
    }

    /// <summary>The app database's server connections every 250 ms (the peak), and the status' claimed total.</summary>
    private Task CountServerConnectionsAsync(ShopApp app, CancellationToken cancellationToken)
    {
        var tick = 0;
        return Polling.EveryAsync(TimeSpan.FromMilliseconds(250), async () =>
        {
            _peakServerConnections = Math.Max(_peakServerConnections, await app.ServerConnectionsAsync(cancellationToken));
            if (tick++ % 4 == 0 && (await app.GetPoolAsync(cancellationToken)).Status?.ServerConnections?.Total is { } total)
            {
                _peakStatusTotal = Math.Max(_peakStatusTotal, total);
            }
        }, cancellationToken);
    }

    /// <summary>
    /// A change that must reload in place: waits for the current version's new configuration revision and the agents'
    /// reload (the kubelet swaps the Secret volume), then checks that the app kept exactly its pods.
    /// </summary>
    private async Task ReloadInPlaceAsync(ShopApp app, Func<Task> change, string kept, CancellationToken cancellationToken)
    {
        var pods = await PodNamesAsync(app, cancellationToken);
        var revision = await RevisionAsync(app, cancellationToken);
        await change();
        await SandboxCluster.WaitAsync(async () => await RevisionAsync(app, cancellationToken) != revision, TimeSpan.FromSeconds(30), "a new revision");
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        var same = (await PodNamesAsync(app, cancellationToken)).SequenceEqual(pods);
        _reloadedInPlace &= same;
        _watch.Say(same ? kept : "the pods changed (they should not)");
    }

    private static async Task<List<string>> PodNamesAsync(ShopApp app, CancellationToken cancellationToken) =>
        (await app.PodsAsync(cancellationToken: cancellationToken)).Select(p => p.Metadata!.Name!).Order(StringComparer.Ordinal).ToList();

    private static async Task<string?> RevisionAsync(ShopApp app, CancellationToken cancellationToken)
    {
        var pool = await app.GetPoolAsync(cancellationToken);
        return pool.Status?.Versions?.FirstOrDefault(v => v.Version == pool.Status.CurrentVersion)?.ConfigRevision;
    }
}
