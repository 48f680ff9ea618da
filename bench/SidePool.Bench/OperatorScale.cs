using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace SidePool.Bench;

/// <summary>
/// The operator, as a process of its own, against a fake API server (another process) holding many pools, each with its
/// credentials Secret, a Deployment, its ReplicaSet and pods: how long until every pool is published, reports its pods,
/// and rolls a spec change out to every workload, and the operator's RSS meanwhile. Talks to the API server with plain
/// HTTPS and JSON only (<see cref="JsonApiClient"/>), so it measures the operator whichever Kubernetes client it uses.
/// </summary>
internal static class OperatorScale
{
    private const int Parallelism = 8;

    public static Command Command()
    {
        var operatorPath = new Option<string>("--operator") { Description = "The sidepool-operator executable (apphost) to measure.", Required = true };
        var pools = new Option<int>("--pools") { Description = "ConnectionPools (each with its credentials Secret and one Deployment).", DefaultValueFactory = _ => 500 };
        var podsPerPool = new Option<int>("--pods-per-pool") { Description = "Pods of each pool's Deployment.", DefaultValueFactory = _ => 10 };
        var namespaces = new Option<int>("--namespaces") { Description = "Namespaces the pools are spread over.", DefaultValueFactory = _ => 50 };
        var runs = new Option<int>("--runs") { Description = "Repetitions (each on a fresh server and operator); the table gives median and spread.", DefaultValueFactory = _ => 1 };
        var settle = new Option<int>("--settle-seconds") { Description = "How long to sample RSS once everything converged (the steady value).", DefaultValueFactory = _ => 10 };
        var timeout = new Option<int>("--phase-timeout-minutes") { Description = "Give up on a phase after this long.", DefaultValueFactory = _ => 15 };
        var command = new Command("operator-scale", "Operator convergence times and RSS with many pools, workloads and pods.") { operatorPath, pools, podsPerPool, namespaces, runs, settle, timeout };
        command.SetAction(async (parsed, ct) =>
        {
            var settings = new ScaleSettings(
                parsed.GetValue(operatorPath)!, parsed.GetValue(pools), parsed.GetValue(podsPerPool), parsed.GetValue(namespaces),
                TimeSpan.FromSeconds(parsed.GetValue(settle)), TimeSpan.FromMinutes(parsed.GetValue(timeout)));
            return await RunAsync(settings, parsed.GetValue(runs), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(ScaleSettings settings, int runs, CancellationToken cancellationToken)
    {
        var results = new List<ScaleResult>();
        for (var run = 1; run <= runs; run++)
        {
            Console.WriteLine($"## run {run}/{runs}: {settings.Pools} pools x {settings.PodsPerPool} pods in {settings.Namespaces} namespaces");
            try
            {
                var result = await RunOnceAsync(settings, cancellationToken);
                results.Add(result);
                Console.WriteLine(result.ToLine());
            }
            catch (BenchmarkFailedException ex)
            {
                Console.Error.WriteLine($"run {run} failed: {ex.Message}");
                return 1;
            }
        }

        Console.WriteLine();
        Console.WriteLine($"operator-scale: {settings.Pools} pools, {settings.Pools * settings.PodsPerPool} pods, {settings.Namespaces} namespaces, {results.Count} run(s)");
        Console.WriteLine();
        Console.WriteLine("| measurement | median | min | max |");
        Console.WriteLine("|---|---:|---:|---:|");
        void Row(string name, Func<ScaleResult, double> value, string format, string unit)
        {
            var values = results.Select(value).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Stats.Median(values).ToString(format, CultureInfo.InvariantCulture)} {unit} | {values.Min().ToString(format, CultureInfo.InvariantCulture)} {unit} | {values.Max().ToString(format, CultureInfo.InvariantCulture)} {unit} |"));
        }

        Row("seeding (namespaces, Secrets, pools, Deployments, ReplicaSets)", r => r.Seed.TotalSeconds, "0.0", "s");
        Row("operator start → every pool has status.currentVersion", r => r.AllVersioned.TotalSeconds, "0.0", "s");
        Row("operator start → the median pool has it", r => r.MedianVersioned.TotalSeconds, "0.0", "s");
        Row("creating the pods (8 parallel POSTs)", r => r.PodsCreated.TotalSeconds, "0.0", "s");
        Row("first pod POST → every pool's status.targets reports all its pods", r => r.AllPodsReported.TotalSeconds, "0.0", "s");
        Row("first pod POST → the median pool's does", r => r.MedianReported.TotalSeconds, "0.0", "s");
        Row("spec change (merge patch of every pool) → every Deployment stamped with the new version", r => r.AllStamped.TotalSeconds, "0.0", "s");
        Row("spec change → every pool's status on the new version (observedGeneration = generation)", r => r.AllConverged.TotalSeconds, "0.0", "s");
        Row("operator RSS, peak (VmHWM)", r => r.PeakRssMiB, "0", "MiB");
        Row("operator RSS, steady (median over the settle window)", r => r.SteadyRssMiB, "0", "MiB");
        Row("fake API server RSS, peak (its own process)", r => r.ServerPeakRssMiB, "0", "MiB");
        return 0;
    }

    /// <summary>One run on a fresh fake API server and operator.</summary>
    internal static async Task<ScaleResult> RunOnceAsync(ScaleSettings s, CancellationToken cancellationToken)
    {
        using var directory = new TempDirectory();
        try
        {
            return await RunOnceAsync(s, directory, cancellationToken);
        }
        catch (BenchmarkFailedException)
        {
            directory.Keep();
            throw;
        }
    }

    private static async Task<ScaleResult> RunOnceAsync(ScaleSettings s, TempDirectory directory, CancellationToken cancellationToken)
    {
        var objects = s.Pools * (s.PodsPerPool + 12) + s.Namespaces;
        await using var server = await FakeApiServerProcess.StartAsync(directory.Path, Math.Max(50_000, objects * 4), cancellationToken);
        using var api = new JsonApiClient(server.BaseAddress, server.Certificate);
        await Crd.InstallAsync(api, cancellationToken);

        var pools = Enumerable.Range(0, s.Pools).Select(i => new PoolRef($"ns-{i % s.Namespaces}", $"pool-{i}")).ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, s.Namespaces), Options(cancellationToken), async (n, ct) =>
            await api.CreateAsync("api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = $"ns-{n}" } }, ct));
        var replicaSets = new ConcurrentDictionary<PoolRef, (string Name, string Uid)>();
        await Parallel.ForEachAsync(pools, Options(cancellationToken), async (p, ct) =>
        {
            await api.CreateAsync($"api/v1/namespaces/{p.Namespace}/secrets", Manifests.Credentials(p), ct);
            await api.CreateAsync($"apis/sidepool.dev/v1alpha1/namespaces/{p.Namespace}/connectionpools", Manifests.Pool(p), ct);
            var deployment = await api.CreateAsync($"apis/apps/v1/namespaces/{p.Namespace}/deployments", Manifests.Deployment(p), ct);
            var replicaSet = await api.CreateAsync($"apis/apps/v1/namespaces/{p.Namespace}/replicasets", Manifests.ReplicaSet(p, deployment), ct);
            replicaSets[p] = (replicaSet["metadata"]!["name"]!.GetValue<string>(), replicaSet["metadata"]!["uid"]!.GetValue<string>());
        });
        var seed = clock.Elapsed;
        Console.WriteLine($"seeded {s.Namespaces} namespaces, {s.Pools} pools with a Secret, a Deployment and a ReplicaSet each in {seed.TotalSeconds:F1} s");

        await using var op = OperatorProcess.Start(s.OperatorPath, server.Kubeconfig, "bench-scale", OperatorProcess.FreeTcpPort(), directory.Path);
        var watch = Stopwatch.StartNew();
        var (first, versionedAt) = await WaitPoolsAsync(api, op, s, "every pool has status.currentVersion", watch, p => Text(p, "status", "currentVersion") is not null, cancellationToken);
        var allVersioned = watch.Elapsed;
        var medianVersioned = MedianOf(versionedAt);
        Console.WriteLine($"every pool has a version {allVersioned.TotalSeconds:F1} s after the operator started (the median pool after {medianVersioned.TotalSeconds:F1} s)");

        // Pods as the webhook would have admitted them (as the operator tests create them): the pool's label and
        // annotation with its current version, the version Secret mounted, the native sidecar; owned by the ReplicaSet.
        var podsStart = Stopwatch.StartNew();
        var podWork = pools.SelectMany(p => Enumerable.Range(0, s.PodsPerPool).Select(i => (Pool: p, Index: i)));
        await Parallel.ForEachAsync(podWork, Options(cancellationToken), async (w, ct) =>
            await api.CreateAsync($"api/v1/namespaces/{w.Pool.Namespace}/pods", Manifests.Pod(w.Pool, w.Index, replicaSets[w.Pool], first[w.Pool].Version), ct));
        var podsCreated = podsStart.Elapsed;
        Console.WriteLine($"created {s.Pools * s.PodsPerPool} pods in {podsCreated.TotalSeconds:F1} s");
        var (_, reportedAt) = await WaitPoolsAsync(api, op, s, "every pool reports all its pods", podsStart, p => Int(p, "status", "targets", "pods") == s.PodsPerPool && Int(p, "status", "targets", "injected") == s.PodsPerPool, cancellationToken);
        var allPodsReported = podsStart.Elapsed;
        var medianReported = MedianOf(reportedAt);
        Console.WriteLine($"every pool reports its {s.PodsPerPool} pods {allPodsReported.TotalSeconds:F1} s after the first pod was created (the median pool after {medianReported.TotalSeconds:F1} s)");

        // A restart-only change (a new version, so every workload is stamped; a pool size would reload in place).
        var change = Stopwatch.StartNew();
        await Parallel.ForEachAsync(pools, Options(cancellationToken), async (p, ct) =>
            await api.MergePatchAsync($"apis/sidepool.dev/v1alpha1/namespaces/{p.Namespace}/connectionpools/{p.Name}", new JsonObject { ["spec"] = new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } } }, ct));
        Console.WriteLine($"patched every pool in {change.Elapsed.TotalSeconds:F1} s");
        TimeSpan? allStamped = null;
        TimeSpan? allConverged = null;
        var deadline = change.Elapsed + s.PhaseTimeout;
        while (allStamped is null || allConverged is null)
        {
            var current = await ListPoolsAsync(api, cancellationToken);
            if (allConverged is null && current.Count == s.Pools && current.Values.All(p => p.Version is not null && p.Version != first[p.Ref].Version && p.ObservedGeneration == p.Generation))
            {
                allConverged = change.Elapsed;
                Console.WriteLine($"every pool's status is on its new version {allConverged.Value.TotalSeconds:F1} s after the spec change started");
            }

            if (allStamped is null)
            {
                var stamped = 0;
                await foreach (var d in api.ListAsync("apis/apps/v1/deployments", cancellationToken: cancellationToken))
                {
                    var p = new PoolRef(Text(d, "metadata", "namespace")!, Text(d, "metadata", "name")!["web-".Length..]);
                    var stamp = d["spec"]?["template"]?["metadata"]?["annotations"]?["sidepool.dev/version-" + p.Name]?.GetValue<string>();
                    if (stamp is not null && stamp != first[p].Version && current.TryGetValue(p, out var now) && stamp == now.Version)
                    {
                        stamped++;
                    }
                }

                if (stamped == s.Pools)
                {
                    allStamped = change.Elapsed;
                    Console.WriteLine($"every Deployment is stamped with its pool's new version {allStamped.Value.TotalSeconds:F1} s after the spec change started");
                }
            }

            Check(op, change.Elapsed > deadline, "the spec change to converge");
            await Task.Delay(250, cancellationToken);
        }

        var settleFrom = op.Elapsed;
        await Task.Delay(s.Settle, cancellationToken);
        var steady = op.SamplesSince(settleFrom);
        var peak = op.PeakKb;
        var serverPeak = OperatorProcess.ProcStatusKb(server.ProcessId, "VmHWM:");
        return new ScaleResult(seed, allVersioned, medianVersioned, podsCreated, allPodsReported, medianReported, allStamped.Value, allConverged.Value, peak / 1024.0, Stats.Median(steady.Select(k => (double)k).ToList()) / 1024.0, serverPeak / 1024.0);
    }

    private static void Check(OperatorProcess op, bool timedOut, string what)
    {
        if (op.HasExited)
        {
            throw new BenchmarkFailedException($"the operator exited while waiting for {what}:\n{op.LogTail()}\nlogs: {op.LogPath}");
        }

        if (timedOut)
        {
            throw new BenchmarkFailedException($"timed out waiting for {what}; operator log tail:\n{op.LogTail()}\nlogs: {op.LogPath}");
        }
    }

    /// <summary>Polls every pool (a list, then 250 ms) until <paramref name="done"/> holds for all; returns the last list.</summary>
    /// <summary>Also gives when each pool first met the condition (on <paramref name="clock"/>).</summary>
    private static async Task<(Dictionary<PoolRef, PoolState> States, Dictionary<PoolRef, TimeSpan> Met)> WaitPoolsAsync(JsonApiClient api, OperatorProcess op, ScaleSettings s, string what, Stopwatch clock, Func<JsonObject, bool> done, CancellationToken cancellationToken)
    {
        var met = new Dictionary<PoolRef, TimeSpan>();
        var phase = Stopwatch.StartNew();
        while (true)
        {
            var all = 0;
            var states = new Dictionary<PoolRef, PoolState>();
            await foreach (var pool in api.ListAsync("apis/sidepool.dev/v1alpha1/connectionpools", cancellationToken: cancellationToken))
            {
                var state = PoolState.Of(pool);
                states[state.Ref] = state;
                if (done(pool))
                {
                    all++;
                    met.TryAdd(state.Ref, clock.Elapsed);
                }
            }

            if (all == s.Pools)
            {
                return (states, met);
            }

            Check(op, phase.Elapsed > s.PhaseTimeout, $"{what} ({all} of {s.Pools} so far)");
            await Task.Delay(250, cancellationToken);
        }
    }

    private static async Task<Dictionary<PoolRef, PoolState>> ListPoolsAsync(JsonApiClient api, CancellationToken cancellationToken)
    {
        var states = new Dictionary<PoolRef, PoolState>();
        await foreach (var pool in api.ListAsync("apis/sidepool.dev/v1alpha1/connectionpools", cancellationToken: cancellationToken))
        {
            var state = PoolState.Of(pool);
            states[state.Ref] = state;
        }

        return states;
    }

    private static TimeSpan MedianOf(Dictionary<PoolRef, TimeSpan> times) => TimeSpan.FromSeconds(Stats.Median(times.Values.Select(t => t.TotalSeconds).ToList()));

    private static ParallelOptions Options(CancellationToken cancellationToken) => new() { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };

    private static string? Text(JsonObject o, params string[] path) => Node(o, path)?.GetValue<string>();

    private static long? Int(JsonObject o, params string[] path) => Node(o, path)?.GetValue<long>();

    private static JsonNode? Node(JsonObject o, string[] path)
    {
        JsonNode? node = o;
        foreach (var key in path)
        {
            node = node?[key];
        }

        return node;
    }

    internal sealed record ScaleSettings(string OperatorPath, int Pools, int PodsPerPool, int Namespaces, TimeSpan Settle, TimeSpan PhaseTimeout);

    internal sealed record ScaleResult(TimeSpan Seed, TimeSpan AllVersioned, TimeSpan MedianVersioned, TimeSpan PodsCreated, TimeSpan AllPodsReported, TimeSpan MedianReported, TimeSpan AllStamped, TimeSpan AllConverged, double PeakRssMiB, double SteadyRssMiB, double ServerPeakRssMiB)
    {
        public string ToLine() => string.Create(CultureInfo.InvariantCulture,
            $"OPERATOR-SCALE seed={Seed.TotalSeconds:F1}s versioned={AllVersioned.TotalSeconds:F1}s (median pool {MedianVersioned.TotalSeconds:F1}s) pods-created={PodsCreated.TotalSeconds:F1}s pods-reported={AllPodsReported.TotalSeconds:F1}s (median pool {MedianReported.TotalSeconds:F1}s) stamped={AllStamped.TotalSeconds:F1}s converged={AllConverged.TotalSeconds:F1}s rss-peak={PeakRssMiB:F0}MiB rss-steady={SteadyRssMiB:F0}MiB server-rss-peak={ServerPeakRssMiB:F0}MiB");
    }

    private sealed record PoolState(PoolRef Ref, string? Version, long? Generation, long? ObservedGeneration)
    {
        public static PoolState Of(JsonObject pool) => new(
            new PoolRef(Text(pool, "metadata", "namespace")!, Text(pool, "metadata", "name")!),
            Text(pool, "status", "currentVersion"),
            Int(pool, "metadata", "generation"),
            Int(pool, "status", "observedGeneration"));
    }
}
