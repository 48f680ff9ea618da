using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace SidePool.Bench;

/// <summary>
/// Two operator processes with leader election on one Lease (<c>default/sidepool-operator</c>) against a fake API
/// server (another process): how long after the leader is stopped the other one holds the Lease, for a graceful stop
/// (SIGTERM: the leader releases the Lease) and a crash (SIGKILL: the Lease must expire). The Lease is read every
/// 10 ms over HTTPS; the new leader's <c>sidepool_operator_leader</c> gauge (<c>/metrics</c>) every 10 ms as well.
/// </summary>
internal static class LeaderHandover
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    public static Command Command()
    {
        var operatorPath = new Option<string>("--operator") { Description = "The sidepool-operator executable (apphost) to measure.", Required = true };
        var rounds = new Option<int>("--rounds") { Description = "Handovers per mode (SIGTERM, SIGKILL).", DefaultValueFactory = _ => 5 };
        var runs = new Option<int>("--runs") { Description = "Repetitions (each on a fresh server and operators); the table pools every round.", DefaultValueFactory = _ => 1 };
        var command = new Command("leader-handover", "Time for the standby operator to take the Lease after the leader is stopped (SIGTERM) or killed (SIGKILL).") { operatorPath, rounds, runs };
        command.SetAction(async (parsed, ct) => await RunAsync(parsed.GetValue(operatorPath)!, parsed.GetValue(rounds), parsed.GetValue(runs), ct));
        return command;
    }

    private static async Task<int> RunAsync(string operatorPath, int rounds, int runs, CancellationToken cancellationToken)
    {
        var handovers = new List<Handover>();
        for (var run = 1; run <= runs; run++)
        {
            Console.WriteLine($"## run {run}/{runs}");
            try
            {
                handovers.AddRange(await RunOnceAsync(operatorPath, rounds, run, cancellationToken));
            }
            catch (BenchmarkFailedException ex)
            {
                Console.Error.WriteLine($"run {run} failed: {ex.Message}");
                return 1;
            }
        }

        Console.WriteLine();
        Console.WriteLine($"leader-handover: {runs} run(s) x {rounds} rounds per mode; Lease and /metrics polled every {Poll.TotalMilliseconds:0} ms");
        Console.WriteLine();
        Console.WriteLine("| mode | measurement | n | median | min | max | median of each run |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---|");
        foreach (var mode in new[] { "SIGTERM", "SIGKILL" })
        {
            var these = handovers.Where(h => h.Mode == mode).ToList();
            void Row(string name, Func<Handover, TimeSpan?> value)
            {
                var seconds = these.Select(value).Where(v => v is not null).Select(v => v!.Value.TotalSeconds).ToList();
                if (seconds.Count > 0)
                {
                    var perRun = these.GroupBy(h => h.Run).Select(g => Stats.Median(g.Select(value).Where(v => v is not null).Select(v => v!.Value.TotalSeconds).ToList()));
                    var runMedians = string.Join(", ", perRun.Select(m => m.ToString("0.000", CultureInfo.InvariantCulture)));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {mode} | {name} | {seconds.Count} | {Stats.Median(seconds):0.000} s | {seconds.Min():0.000} s | {seconds.Max():0.000} s | {runMedians} |"));
                }
            }

            Row("signal → the other process holds the Lease", h => h.Lease);
            Row("signal → its sidepool_operator_leader is 1", h => h.Metric);
            Row("signal → the stopped leader's process exited", h => h.Exited);
        }

        return 0;
    }

    private static async Task<List<Handover>> RunOnceAsync(string operatorPath, int rounds, int run, CancellationToken cancellationToken)
    {
        using var directory = new TempDirectory();
        try
        {
            return await RunOnceAsync(operatorPath, rounds, run, directory, cancellationToken);
        }
        catch (BenchmarkFailedException ex)
        {
            directory.Keep();
            throw new BenchmarkFailedException($"{ex.Message}\nlogs: {directory.Path}");
        }
    }

    private static async Task<List<Handover>> RunOnceAsync(string operatorPath, int rounds, int run, TempDirectory directory, CancellationToken cancellationToken)
    {
        await using var server = await FakeApiServerProcess.StartAsync(directory.Path, 10_000, cancellationToken);
        using var api = new JsonApiClient(server.BaseAddress, server.Certificate, TimeSpan.FromSeconds(10));
        using var metrics = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Crd.InstallAsync(api, cancellationToken);

        var ports = new Dictionary<string, int> { ["bench-a"] = OperatorProcess.FreeTcpPort(), ["bench-b"] = OperatorProcess.FreeTcpPort() };
        var operators = new Dictionary<string, OperatorProcess>();
        try
        {
            foreach (var (identity, port) in ports)
            {
                operators[identity] = OperatorProcess.Start(operatorPath, server.Kubeconfig, identity, port, directory.Path);
            }

            var results = new List<Handover>();
            foreach (var mode in new[] { "SIGTERM", "SIGKILL" })
            {
                for (var round = 1; round <= rounds; round++)
                {
                    // Both candidates up, one leading, the other one having seen the Lease for a few retry periods.
                    var leader = await SettledLeaderAsync(api, metrics, operators, cancellationToken);
                    var standby = operators.Keys.Single(k => k != leader);
                    await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);

                    var handover = await HandOverAsync(api, metrics, operators[leader], operators[standby], mode, run, cancellationToken);
                    results.Add(handover);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{mode} round {round}: {leader} → {standby}: Lease {handover.Lease.TotalSeconds:0.000} s, leader gauge {handover.Metric?.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) ?? "n/a"} s, old leader exited after {handover.Exited.TotalSeconds:0.000} s"));

                    await operators[leader].DisposeAsync();
                    operators[leader] = OperatorProcess.Start(operatorPath, server.Kubeconfig, leader, ports[leader], directory.Path);
                }
            }

            return results;
        }
        finally
        {
            foreach (var op in operators.Values)
            {
                await op.DisposeAsync();
            }
        }
    }

    /// <summary>Waits until the Lease names one of the two, that one says it leads and both answer <c>/readyz</c>.</summary>
    private static async Task<string> SettledLeaderAsync(JsonApiClient api, HttpClient metrics, Dictionary<string, OperatorProcess> operators, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var holder = await HolderAsync(api, cancellationToken);
            if (holder is not null && operators.ContainsKey(holder) && await LeaderGaugeAsync(metrics, operators[holder], cancellationToken) == true)
            {
                var ready = true;
                foreach (var op in operators.Values)
                {
                    ready &= await ReadyAsync(metrics, op, cancellationToken);
                }

                if (ready)
                {
                    return holder;
                }
            }

            foreach (var op in operators.Values.Where(o => o.HasExited))
            {
                throw new BenchmarkFailedException($"operator {op.Identity} exited:\n{op.LogTail()}");
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new BenchmarkFailedException($"no settled leader after 2 minutes (Lease holder: {holder ?? "none"})");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<Handover> HandOverAsync(JsonApiClient api, HttpClient metrics, OperatorProcess leader, OperatorProcess standby, string mode, int run, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(TimeSpan.FromMinutes(2));
        var clock = Stopwatch.StartNew();
        if (mode == "SIGTERM")
        {
            leader.Terminate();
        }
        else
        {
            leader.KillNow();
        }

        var exited = WaitExitAsync(leader, clock, stop.Token);
        var gauge = PollAsync(async ct => await LeaderGaugeAsync(metrics, standby, ct) == true, clock, stop.Token);
        var lease = PollAsync(async ct => await HolderAsync(api, ct) == standby.Identity, clock, stop.Token);
        try
        {
            var leaseAt = await lease;
            TimeSpan? gaugeAt;
            try
            {
                gaugeAt = await gauge;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                gaugeAt = null;
            }

            return new Handover(mode, run, leaseAt, gaugeAt, await exited);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BenchmarkFailedException($"{mode}: {standby.Identity} did not take the Lease within 2 minutes:\n{standby.LogTail()}");
        }
    }

    private static async Task<TimeSpan> WaitExitAsync(OperatorProcess op, Stopwatch clock, CancellationToken cancellationToken)
    {
        await op.WaitForExitAsync(cancellationToken);
        return clock.Elapsed;
    }

    /// <summary>Evaluates <paramref name="done"/> every 10 ms; the elapsed time on <paramref name="clock"/> when it first holds.</summary>
    private static async Task<TimeSpan> PollAsync(Func<CancellationToken, Task<bool>> done, Stopwatch clock, CancellationToken cancellationToken)
    {
        while (true)
        {
            var before = clock.Elapsed;
            try
            {
                if (await done(cancellationToken))
                {
                    // The state changed at the latest when we read it, at the earliest after the previous read began.
                    return clock.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
            }

            var rest = Poll - (clock.Elapsed - before);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, cancellationToken);
            }
        }
    }

    private static async Task<string?> HolderAsync(JsonApiClient api, CancellationToken cancellationToken)
    {
        var lease = await api.GetAsync($"apis/coordination.k8s.io/v1/namespaces/{OperatorProcess.LeaseNamespace}/leases/{OperatorProcess.LeaseName}", cancellationToken);
        return lease?["spec"]?["holderIdentity"]?.GetValue<string>() is { Length: > 0 } holder ? holder : null;
    }

    /// <summary>The operator's <c>sidepool_operator_leader</c> gauge; null if it does not answer.</summary>
    private static async Task<bool?> LeaderGaugeAsync(HttpClient metrics, OperatorProcess op, CancellationToken cancellationToken)
    {
        try
        {
            var text = await metrics.GetStringAsync(new Uri($"http://127.0.0.1:{op.MetricsPort}/metrics"), cancellationToken);
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("sidepool_operator_leader", StringComparison.Ordinal) && !line.StartsWith("sidepool_operator_leader_", StringComparison.Ordinal))
                {
                    return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1] == "1";
                }
            }

            return false;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient metrics, OperatorProcess op, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await metrics.GetAsync(new Uri($"http://127.0.0.1:{op.MetricsPort}/readyz"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private sealed record Handover(string Mode, int Run, TimeSpan Lease, TimeSpan? Metric, TimeSpan Exited);
}
