using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Bench;

/// <summary>
/// The pod-mutating webhook's latency as the API server sees it: the operator (a process of its own, webhook on, its
/// self-signed certificate) against the fake API server holding published pools; AdmissionReviews of pods that a pool
/// selects (so every answer is an injection patch) POSTed over HTTPS to <c>/mutate-pods</c> by concurrent clients on
/// kept-alive connections, as the API server's client does, while the operator reconciles a stream of spec changes
/// (each a new version stamped onto a Deployment). Latency is measured client-side, from sending the request to having
/// read the whole answer. Reported, never asserted (docs/benchmarks.md).
/// </summary>
internal static class WebhookLatency
{
    public static Command Command()
    {
        var operatorPath = new Option<string>("--operator") { Description = "The sidepool-operator executable (apphost) to measure.", Required = true };
        var options = WebhookBenchOptions.Create();
        var command = new Command("webhook", "Webhook latency p50/p99 over many AdmissionReviews from concurrent clients while the operator reconciles.") { operatorPath };
        options.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            try
            {
                var result = await RunAsync(parsed.GetValue(operatorPath)!, options.Read(parsed), ct);
                Console.WriteLine(result.ToLine());
                return 0;
            }
            catch (BenchmarkFailedException ex)
            {
                Console.Error.WriteLine($"sidepool-bench webhook: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    public static async Task<WebhookResult> RunAsync(string operatorPath, WebhookSettings s, CancellationToken ct)
    {
        using var directory = new TempDirectory();
        try
        {
            return await RunAsync(operatorPath, s, directory, ct);
        }
        catch (BenchmarkFailedException)
        {
            directory.Keep();
            throw;
        }
    }

    private static async Task<WebhookResult> RunAsync(string operatorPath, WebhookSettings s, TempDirectory directory, CancellationToken ct)
    {
        if (!File.Exists(operatorPath))
        {
            throw new BenchmarkFailedException($"--operator: {operatorPath} does not exist");
        }

        await using var server = await FakeApiServerProcess.StartAsync(directory.Path, 50_000, ct);
        using var api = new JsonApiClient(server.BaseAddress, server.Certificate);
        await Crd.InstallAsync(api, ct);
        var pools = Enumerable.Range(0, s.Pools).Select(i => new PoolRef($"ns-{i % s.Namespaces}", $"pool-{i}")).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(0, s.Namespaces), parallel, async (n, token) =>
            await api.CreateAsync("api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = $"ns-{n}" } }, token));
        await Parallel.ForEachAsync(pools, parallel, async (p, token) =>
        {
            await api.CreateAsync($"api/v1/namespaces/{p.Namespace}/secrets", Manifests.Credentials(p), token);
            await api.CreateAsync($"apis/sidepool.dev/v1alpha1/namespaces/{p.Namespace}/connectionpools", Manifests.Pool(p), token);
            await api.CreateAsync($"apis/apps/v1/namespaces/{p.Namespace}/deployments", Manifests.Deployment(p), token);
        });

        var webhookPort = OperatorProcess.FreeTcpPort();
        var metricsPort = OperatorProcess.FreeTcpPort();
        await using var op = OperatorProcess.Start(operatorPath, server.Kubeconfig, "bench-webhook", metricsPort, directory.Path, webhookPort: webhookPort);
        await WaitAsync(op, "every pool published and /readyz 200", async () =>
        {
            var published = 0;
            await foreach (var pool in api.ListAsync("apis/sidepool.dev/v1alpha1/connectionpools", cancellationToken: ct))
            {
                published += pool["status"]?["currentVersion"] is null ? 0 : 1;
            }

            return published == s.Pools && await ReadyAsync(metricsPort, ct);
        }, ct);
        Console.WriteLine($"webhook: {s.Pools} pools published, operator ready; load average {AgentBench.LoadAverage()}");

        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = s.Clients,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            // The operator's self-signed serving certificate (the API server checks it against the caBundle; the
            // handshake happens once per kept-alive connection, outside the measured requests).
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        })
        {
            BaseAddress = new Uri($"https://127.0.0.1:{webhookPort.ToString(CultureInfo.InvariantCulture)}/"),
            Timeout = TimeSpan.FromSeconds(10),
        };

        // The webhook serves from its pool caches once they are filled; wait until it injects.
        await WaitAsync(op, "the webhook's first injection patch", async () => (await ReviewAsync(http, pools, 0, ct)).Ok, ct);
        await RunClientsAsync(http, pools, s.Warmup, s.Clients, ct);

        // The operator at work meanwhile: one pool's spec changed every ReconcileEvery (sidecar.port flips: a new
        // version, published and stamped onto its Deployment).
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var changes = 0;
        var load = Task.Run(async () =>
        {
            if (s.ReconcileEvery == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            using var timer = new PeriodicTimer(s.ReconcileEvery);
            try
            {
                while (await timer.WaitForNextTickAsync(stopLoad.Token))
                {
                    var p = pools[changes % pools.Count];
                    var port = (changes / pools.Count) % 2 == 0 ? 7432 : 6432;
                    await api.MergePatchAsync($"apis/sidepool.dev/v1alpha1/namespaces/{p.Namespace}/connectionpools/{p.Name}", new JsonObject { ["spec"] = new JsonObject { ["sidecar"] = new JsonObject { ["port"] = port } } }, stopLoad.Token);
                    changes++;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);

        await Task.Delay(TimeSpan.FromSeconds(1), ct); // the first changes are being reconciled
        var reconcilesBefore = await ReconcilesAsync(metricsPort, ct);
        var cpuBefore = CpuMilliseconds(op.ProcessId);
        var wall = Stopwatch.StartNew();
        var samples = await RunClientsAsync(http, pools, s.Reviews, s.Clients, ct);
        wall.Stop();
        var cpu = CpuMilliseconds(op.ProcessId) - cpuBefore;
        var reconcilesAfter = await ReconcilesAsync(metricsPort, ct);
        await stopLoad.CancelAsync();
        await load;

        // For comparison: one client, nothing reconciling (what the webhook costs when nothing competes with it).
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var sequential = (await RunClientsAsync(http, pools, s.Reviews, 1, ct)).Select(x => x.Milliseconds).Order().ToList();
        var rss = OperatorProcess.ProcStatusKb(op.ProcessId, "VmRSS:") / 1024.0;
        if (op.HasExited)
        {
            throw new BenchmarkFailedException($"the operator exited during the webhook benchmark:\n{op.LogTail()}");
        }

        var latencies = samples.Select(x => x.Milliseconds).Order().ToList();
        var result = new WebhookResult(
            s,
            latencies.Count,
            samples.Count(x => !x.Ok),
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            latencies[^1],
            latencies.Count / wall.Elapsed.TotalSeconds,
            changes,
            reconcilesAfter - reconcilesBefore,
            rss,
            cpu,
            wall.Elapsed.TotalMilliseconds,
            Percentile(sequential, 0.50),
            Percentile(sequential, 0.99),
            AgentBench.LoadAverage());
        Console.WriteLine($"webhook: {result.Reviews} reviews from {s.Clients} clients in {wall.Elapsed.TotalSeconds:F1} s, p50 {result.P50Ms:F2} ms, p99 {result.P99Ms:F2} ms, max {result.MaxMs:F2} ms, {result.Failed} not injected; {result.Reconciles:F0} reconciles meanwhile; then one client, nothing reconciling: p50 {result.SequentialP50Ms:F2} ms, p99 {result.SequentialP99Ms:F2} ms");
        return result;
    }

    /// <summary><paramref name="count"/> reviews shared by <paramref name="clients"/> concurrent loops, each waiting for its answer before the next.</summary>
    private static async Task<List<(double Milliseconds, bool Ok)>> RunClientsAsync(HttpClient http, List<PoolRef> pools, int count, int clients, CancellationToken ct)
    {
        var next = -1;
        var samples = new List<(double, bool)>(count);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(
            async () =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < count)
                {
                    var sample = await ReviewAsync(http, pools, n, ct);
                    lock (samples)
                    {
                        samples.Add(sample);
                    }
                }
            },
            ct)));
        return samples;
    }

    /// <summary>One AdmissionReview (a pod of pool n mod pools, as a ReplicaSet creates it): the time to the whole answer, and whether it is an allowed injection patch.</summary>
    private static async Task<(double Milliseconds, bool Ok)> ReviewAsync(HttpClient http, List<PoolRef> pools, int n, CancellationToken ct)
    {
        var p = pools[n % pools.Count];
        var body = Review(p, n).ToJsonString();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var clock = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsync(new Uri("mutate-pods", UriKind.Relative), content, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var elapsed = Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
            var answer = response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(text)?["response"] : null;
            return (elapsed, answer?["allowed"]?.GetValue<bool>() == true && answer["patch"] is not null);
        }
        catch (HttpRequestException)
        {
            return (Stopwatch.GetElapsedTime(clock).TotalMilliseconds, false);
        }
    }

    private static JsonObject Review(PoolRef p, int n) => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["requestKind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["requestResource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["namespace"] = p.Namespace,
            ["operation"] = "CREATE",
            ["userInfo"] = new JsonObject { ["username"] = "system:serviceaccount:kube-system:replicaset-controller" },
            ["object"] = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject
                {
                    ["generateName"] = $"web-{p.Name}-1-",
                    ["namespace"] = p.Namespace,
                    ["labels"] = new JsonObject { ["app"] = "app-" + p.Name, ["pod-template-hash"] = "1" },
                },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "app",
                        ["image"] = "example/app:1",
                        ["env"] = new JsonArray(new JsonObject { ["name"] = "REQUEST", ["value"] = n.ToString(CultureInfo.InvariantCulture) }),
                        ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "128Mi" } },
                    }),
                    ["serviceAccountName"] = "default",
                },
            },
            ["options"] = new JsonObject { ["apiVersion"] = "meta.k8s.io/v1", ["kind"] = "CreateOptions" },
        },
    };

    private static async Task<bool> ReadyAsync(int metricsPort, CancellationToken ct)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{metricsPort.ToString(CultureInfo.InvariantCulture)}/readyz"), ct);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The operator's reconciles so far (every result), from its /metrics.</summary>
    private static async Task<double> ReconcilesAsync(int metricsPort, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort.ToString(CultureInfo.InvariantCulture)}/metrics"), ct);
        return text.Split('\n')
            .Where(l => l.StartsWith("sidepool_operator_reconciles_total{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static async Task WaitAsync(OperatorProcess op, string what, Func<Task<bool>> done, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            if (op.HasExited || clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new BenchmarkFailedException($"{(op.HasExited ? "the operator exited" : "timed out")} waiting for {what}; operator log tail:\n{op.LogTail()}\nlogs: {op.LogPath}");
            }

            await Task.Delay(200, ct);
        }
    }

    /// <summary>The process's user + system CPU time so far (<c>/proc/PID/stat</c>, clock ticks of 10 ms).</summary>
    private static double CpuMilliseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>How the webhook benchmark loads the operator.</summary>
internal sealed record WebhookSettings(int Reviews, int Clients, int Warmup, int Pools, int Namespaces, TimeSpan ReconcileEvery)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Reviews:N0} AdmissionReviews (after {Warmup} not counted) from {Clients} concurrent clients on kept-alive HTTPS connections, {Pools} published pools in {Namespaces} namespaces, one pool's spec changed every {ReconcileEvery.TotalMilliseconds:0} ms meanwhile");
}

/// <summary>What the webhook benchmark measured.</summary>
internal sealed record WebhookResult(WebhookSettings Settings, int Reviews, int Failed, double P50Ms, double P99Ms, double MaxMs, double PerSecond, int SpecChanges, double Reconciles, double OperatorRssMiB, double OperatorCpuMs, double WallMs, double SequentialP50Ms, double SequentialP99Ms, string LoadAverage)
{
    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"WEBHOOK reviews={Reviews} clients={Settings.Clients} p50={P50Ms:F2}ms p99={P99Ms:F2}ms max={MaxMs:F2}ms rate={PerSecond:F0}/s not-injected={Failed} spec-changes={SpecChanges} reconciles={Reconciles:F0} operator-rss={OperatorRssMiB:F0}MiB operator-cpu={OperatorCpuMs:F0}ms-in-{WallMs:F0}ms one-client-p50={SequentialP50Ms:F2}ms one-client-p99={SequentialP99Ms:F2}ms load={LoadAverage}");
}

/// <summary>The webhook benchmark's options, shared by <c>webhook</c> and <c>all</c>.</summary>
internal sealed class WebhookBenchOptions
{
    private readonly Option<int> _reviews = new("--webhook-reviews") { Description = "AdmissionReviews measured.", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> _clients = new("--webhook-clients") { Description = "Concurrent clients (each waits for its answer before sending the next).", DefaultValueFactory = _ => 8 };
    private readonly Option<int> _warmup = new("--webhook-warmup") { Description = "Reviews sent first and not counted (connections, JIT).", DefaultValueFactory = _ => 200 };
    private readonly Option<int> _pools = new("--webhook-pools") { Description = "Published pools in the cluster.", DefaultValueFactory = _ => 100 };
    private readonly Option<int> _reconcileMs = new("--webhook-reconcile-every-ms") { Description = "One pool's spec is changed this often during the measurement (0: never).", DefaultValueFactory = _ => 50 };

    public static WebhookBenchOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(_reviews);
        command.Options.Add(_clients);
        command.Options.Add(_warmup);
        command.Options.Add(_pools);
        command.Options.Add(_reconcileMs);
    }

    public WebhookSettings Read(ParseResult parsed)
    {
        var pools = parsed.GetValue(_pools);
        var every = parsed.GetValue(_reconcileMs);
        return new(parsed.GetValue(_reviews), parsed.GetValue(_clients), parsed.GetValue(_warmup), pools, Math.Max(1, Math.Min(10, pools)), every > 0 ? TimeSpan.FromMilliseconds(every) : Timeout.InfiniteTimeSpan);
    }
}
