using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using SidePool.Demo.Cluster;

namespace SidePool.Demo;

/// <summary>
/// <c>make demo-budget</c> (<c>sidepool-demo --scenario budget</c>), issue 13's live budget on real processes: a pool
/// with <c>backend.maxConnections</c> = 20 and size 10 in front of the sandbox's PostgreSQL, the load generator at 2
/// replicas (6 workers each, so every pod wants more than its share); scaled 2 → 10 → 3, then a restart-only change
/// rolls a new version out (old and new pods overlap). Throughout, <c>pg_stat_activity</c> is counted for the pool's
/// user every 100 ms (a dedicated superuser connection), the pool status' <c>serverConnections</c> read every 500 ms
/// and the pods per version every second. Writes <c>budget.csv</c>, <c>budget.png</c> and <c>summary.md</c>.
/// </summary>
internal sealed class BudgetRun(string outputDirectory, TextWriter output)
{
    /// <summary>The pool's <c>backend.maxConnections</c>.</summary>
    public const int Budget = 20;

    /// <summary>The pool's size: one pod alone could open half the budget.</summary>
    public const int PoolSize = 10;

    /// <summary>Load generator loops per pod (each its own client connection).</summary>
    public const int Workers = 6;

    /// <summary>
    /// The load generator's pause after each transaction: 50 ms, not its default 20. Six loops per pod still want more
    /// servers than a share gives at every step, but ten pods no longer saturate 2 cores (at 20 ms the machine stalled
    /// for minutes while seven pods terminated, and the kubelet could not stop them in time).
    /// </summary>
    public const int PauseMilliseconds = 50;

    private readonly ScenarioWatch _watch = new(output);
    private readonly BudgetTrace _trace = new();
    private readonly StringBuilder _overBudget = new();
    private ShopApp? _app;

    /// <summary>Starts the sandbox, runs the scenario, tears everything down.</summary>
    public async Task<BudgetResult> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        _watch.Say("starting PostgreSQL, the sandbox cluster (podman kubelet) and the operator");
        await using var cluster = await SandboxCluster.StartAsync(_watch.Say, cancellationToken);
        return await RunAsync(cluster, new ShopApp(cluster, "budget"), cancellationToken);
    }

    /// <summary>
    /// The scenario on a running sandbox (the end-to-end tests share one), with an app not created yet. Whatever the
    /// outcome, the operator's and the sandbox's (kubelet, controllers) log lines of the run and every failed app
    /// transaction are written to the output directory (operator.log, sandbox.log, failures.log).
    /// </summary>
    public async Task<BudgetResult> RunAsync(SandboxCluster cluster, ShopApp app, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        var operatorLines = cluster.Operator.Lines.Count;
        var sandboxLines = cluster.SandboxLog().Count;
        try
        {
            return await RunScenarioAsync(cluster, app, cancellationToken);
        }
        finally
        {
            File.WriteAllLines(Path.Combine(outputDirectory, "sandbox.log"), cluster.SandboxLog().Skip(sandboxLines));
            File.WriteAllLines(Path.Combine(outputDirectory, "failures.log"), _watch.Ledger.Failures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Time:HH:mm:ss.fff} {f.Pod}: {f.Error}")));
            if (cluster.OperatorLog(int.MaxValue) is { Count: > 0 } lines)
            {
                File.WriteAllLines(Path.Combine(outputDirectory, "operator.log"), lines.Skip(operatorLines));
            }
        }
    }

    private async Task<BudgetResult> RunScenarioAsync(SandboxCluster cluster, ShopApp app, CancellationToken cancellationToken)
    {
        _app = app;
        await app.CreateAsync("budget-password", replicas: 2, Workers, spec =>
        {
            spec.Backend!.MaxConnections = Budget;
            spec.Pool!.Size = PoolSize;
        }, cancellationToken, PauseMilliseconds);
        var v1 = (await app.GetPoolAsync(cancellationToken)).Status!.CurrentVersion!;
        _watch.Say($"pool {app.Pool}: version {v1}, backend.maxConnections {Budget}, pool.size {PoolSize}; Deployment {app.Deployment}: 2 replicas x {Workers} workers, {PauseMilliseconds} ms between transactions");
        await app.WaitForPodsAsync(2, v1, TimeSpan.FromMinutes(2), cancellationToken);

        await using var follower = new LogFollower(cluster, app.Namespace, ShopApp.Container, _watch.Ledger);
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connections = CountConnectionsAsync(cluster.Postgres.SuperuserConnectionString, app.User, stopSampling.Token);
        var statuses = ReadStatusAsync(app, stopSampling.Token);
        var sampling = _watch.SampleAsync(app, follower, Detail, stopSampling.Token);
        var v2 = v1;
        try
        {
            await SandboxCluster.WaitAsync(() => Task.FromResult(_watch.Ledger.Ok > 100), TimeSpan.FromSeconds(60), "the app's first transactions");
            // No wait for the operator's fresh-pod margin (15 s from its start): the scale-up's pods are as old to it as
            // after a leader change, and must count 0 while their sidecars start (docs/budget.md).
            await _watch.StepAsync("2 replicas under load", () => Task.Delay(TimeSpan.FromSeconds(3), cancellationToken));

            await _watch.StepAsync("scale 2 → 10", async () =>
            {
                await app.ScaleAsync(10);
                await app.WaitForPodsAsync(10, v1, TimeSpan.FromMinutes(5), cancellationToken);
            });

            await _watch.StepAsync("scale 10 → 3", async () =>
            {
                await app.ScaleAsync(3);
                await app.WaitForPodsAsync(3, v1, TimeSpan.FromMinutes(5), cancellationToken);
            });

            await _watch.StepAsync("a restart-only setting (pkt_buf): a new version rolls out", async () => v2 = await app.RollOutNewVersionAsync(v1, replicas: 3, cancellationToken));

            await _watch.StepAsync("cool down", () => Task.Delay(TimeSpan.FromSeconds(2), cancellationToken));
        }
        finally
        {
            await stopSampling.CancelAsync();
            await connections;
            await statuses;
            await sampling;
        }

        var pool = await app.GetPoolAsync(cancellationToken);
        var samples = _trace.Connections;
        var start = new[] { samples.FirstOrDefault()?.Time, _watch.Timeline.Samples.FirstOrDefault()?.Time }.Where(t => t is not null).Min() ?? DateTimeOffset.UtcNow;
        var plot = Path.Combine(outputDirectory, "budget.png");
        var csv = Path.Combine(outputDirectory, "budget.csv");
        var result = new BudgetResult
        {
            Budget = Budget,
            Connections = samples,
            Statuses = _trace.Statuses,
            Timeline = _watch.Timeline,
            Committed = _watch.Ledger.Ok,
            Failed = _watch.Ledger.Failed,
            Failures = _watch.Ledger.Failures,
            FirstVersion = v1,
            SecondVersion = v2,
            FirstVersionState = pool.Status?.Versions?.FirstOrDefault(v => v.Version == v1)?.State,
            Elapsed = samples.Count == 0 ? TimeSpan.Zero : samples[^1].Time - samples[0].Time,
            Summary = "",
            PlotPath = plot,
            CsvPath = csv,
        };
        result = result with { Summary = Summarize(result) };
        File.WriteAllText(csv, BudgetTrace.Csv(samples, result.Statuses, _watch.Timeline, start));
        File.WriteAllText(Path.Combine(outputDirectory, "over-budget.log"), _overBudget.ToString());
        File.WriteAllText(Path.Combine(outputDirectory, "status.log"), BudgetTrace.StatusLog(result.Statuses, start));
        BudgetPlot.Save(result, start, plot);
        File.WriteAllText(Path.Combine(outputDirectory, "summary.md"), result.Summary);
        Report(result);
        return result;
    }

    /// <summary>0 when every app transaction committed and PostgreSQL never held more than the budget, else 1.</summary>
    public static int ExitCode(BudgetResult result) => result.Failed == 0 && result.PeakConnections <= result.Budget ? 0 : 1;

    private static string Summarize(BudgetResult result)
    {
        var peak = BudgetTrace.Peak(result.Connections);
        var start = result.Connections.Count == 0 ? DateTimeOffset.UtcNow : result.Connections[0].Time;
        var peakStep = peak is null ? "" : result.Timeline.Steps.LastOrDefault(s => s.Start <= peak.Time)?.Name ?? "before the first step";
        var text = new StringBuilder("# The live connection budget in the sandbox\n\n");
        text.Append(CultureInfo.InvariantCulture, $"backend.maxConnections {result.Budget}, pool.size {PoolSize}, {Workers} load generator workers a pod ({PauseMilliseconds} ms between transactions); versions {result.FirstVersion} → {result.SecondVersion} ({result.FirstVersion} {result.FirstVersionState ?? "gone"}).\n\n");
        text.Append(SummaryTable.Render(result.Timeline.Summarize()));
        text.Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"- server connections at PostgreSQL (pg_stat_activity, the pool's user): peak **{result.PeakConnections}** of {result.Budget}");
        text.Append(peak is null ? "\n" : string.Create(CultureInfo.InvariantCulture, $", first at {(peak.Time - start).TotalSeconds:0.0} s ({peakStep})\n"));
        text.Append(CultureInfo.InvariantCulture, $"- samples: {result.Connections.Count} over {result.Elapsed.TotalSeconds:0.0} s (largest gap {BudgetTrace.LargestGap(result.Connections).TotalMilliseconds:0} ms)\n");
        text.Append(CultureInfo.InvariantCulture, $"- status serverConnections.total: at most {result.PeakStatusTotal} ({result.Statuses.Count} statuses read); shares seen: {string.Join(' ', result.Statuses.Select(s => s.Share).OfType<int>().Distinct())}\n");
        text.Append(CultureInfo.InvariantCulture, $"- app pods: at most {result.PeakPods}; both versions present in {result.OverlapSamples} one-second samples\n");
        text.Append(CultureInfo.InvariantCulture, $"- app transactions: {result.Committed} committed, {result.Failed} failed\n");
        return text.ToString();
    }

    private void Report(BudgetResult result)
    {
        output.WriteLine();
        output.Write(result.Summary);
        output.WriteLine($"plot: {result.PlotPath}");
        output.WriteLine($"samples: {result.CsvPath}");
        foreach (var (pod, time, error) in result.Failures.Take(20))
        {
            output.WriteLine($"  failed: {time:HH:mm:ss.fff} {pod}: {error}");
        }

        output.WriteLine(ExitCode(result) == 0 ? "within the budget, no transaction failed" : "the budget was exceeded or transactions failed");
    }

    private string Detail()
    {
        var (last, peak) = _trace.Now();
        var status = _trace.Statuses.LastOrDefault();
        return string.Create(CultureInfo.InvariantCulture, $"postgres {last,2}/{Budget} (peak {peak}) | status total {status?.Total} share {status?.Share} pending {status?.Pending}");
    }

    /// <summary>
    /// Counts the pool user's server connections at PostgreSQL every 100 ms (a fixed rate: a slow query skips ticks
    /// rather than drifting) on one superuser connection, opened again if it breaks.
    /// </summary>
    private async Task CountConnectionsAsync(string connectionString, string user, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        NpgsqlConnection? connection = null;
        try
        {
            do
            {
                try
                {
                    if (connection is null)
                    {
                        connection = new NpgsqlConnection(connectionString);
                        await connection.OpenAsync(cancellationToken);
                    }

                    await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND backend_type = 'client backend'", connection);
                    count.Parameters.Add(new NpgsqlParameter { Value = user });
                    var connections = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
                    var at = DateTimeOffset.UtcNow;
                    _trace.Add(new ConnectionSample(at, (int)connections));
                    if (connections > Budget)
                    {
                        await SnapshotAsync(connection, user, at, cancellationToken);
                        await SnapshotPodsAsync(at, cancellationToken);
                    }
                }
                catch (Exception e) when (e is NpgsqlException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>Above the budget: every server connection of the user (when it started, its state) into over-budget.log, to tell old from new.</summary>
    private async Task SnapshotAsync(NpgsqlConnection connection, string user, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var rows = new NpgsqlCommand("SELECT pid, backend_start, state, state_change, client_port FROM pg_stat_activity WHERE usename = $1 AND backend_type = 'client backend' ORDER BY backend_start", connection);
        rows.Parameters.Add(new NpgsqlParameter { Value = user });
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"=== {at:HH:mm:ss.fff}\n"));
        await using (var reader = await rows.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                text.Append(CultureInfo.InvariantCulture, $"{reader.GetInt32(0)} started {reader.GetDateTime(1):HH:mm:ss.fff} {(reader.IsDBNull(2) ? "" : reader.GetString(2))} since {(reader.IsDBNull(3) ? "" : reader.GetDateTime(3).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture))} port {(reader.IsDBNull(4) ? 0 : reader.GetInt32(4))}\n");
            }
        }

        lock (_overBudget)
        {
            _overBudget.Append(text);
        }
    }

    /// <summary>Above the budget: the app's pods as the API has them (phase, deletion, containers running).</summary>
    private async Task SnapshotPodsAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_app is not { } app)
        {
            return;
        }

        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"--- pods at {at:HH:mm:ss.fff} (read {DateTimeOffset.UtcNow:HH:mm:ss.fff})\n"));
        foreach (var pod in await app.PodsAsync(includeTerminating: true, cancellationToken))
        {
            var running = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []).Select(c => $"{c.Name}:{(c.State?.Running is not null ? "running" : c.State?.Terminated is not null ? "terminated" : "waiting")}");
            text.Append(CultureInfo.InvariantCulture, $"{pod.Metadata!.Name} {pod.Status?.Phase} {(pod.Metadata.DeletionTimestamp is null ? "" : "deleting")} {string.Join(' ', running)}\n");
        }

        lock (_overBudget)
        {
            _overBudget.Append(text);
        }
    }

    /// <summary>The pool status' <c>serverConnections</c> every 500 ms.</summary>
    private Task ReadStatusAsync(ShopApp app, CancellationToken cancellationToken) =>
        Polling.EveryAsync(TimeSpan.FromMilliseconds(500), async () =>
        {
            var status = (await app.GetPoolAsync(cancellationToken)).Status;
            var connections = status?.ServerConnections;
            var condition = status?.Conditions?.FirstOrDefault(c => c.Type == "BudgetExceeded");
            _trace.Add(new StatusSample(DateTimeOffset.UtcNow, connections?.Total, connections?.Share, connections?.Admitted, connections?.Pending, connections?.PlannedPods, condition is null ? null : $"{condition.Reason}: {condition.Message}"));
        }, cancellationToken);
}
