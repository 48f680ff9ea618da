using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SidePool.Api;
using SidePool.Core;
using SidePool.Testing;

namespace SidePool.Bench;

/// <summary>
/// The sidecar agent as it runs in a pod (Native AOT), and the JIT build for comparison: start to the first
/// <c>/healthz</c> 200 a poller sees, resident memory idle and after many scrapes, the latency of one scrape, and
/// resident memory during and after minutes of pgbench through the sidecar. Real PostgreSQL and PgBouncer, run as the
/// service user when root (as the tests do). Reported, never asserted (docs/benchmarks.md).
/// </summary>
internal static partial class AgentBench
{
    internal const string User = "app";
    internal const string Password = "bench-backend-password";
    internal const string Database = "orders";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };

    public static Command Command()
    {
        var agent = new Option<string>("--agent") { Description = "The Native AOT sidepool-agent (make agent-aot: out/agent-aot/sidepool-agent).", Required = true };
        var jit = new Option<string?>("--jit") { Description = "The JIT build's sidepool-agent (apphost), measured the same way for comparison." };
        var starts = new Option<int>("--starts") { Description = "Starts measured for the start-to-200 median.", DefaultValueFactory = _ => 20 };
        var scrapes = new Option<int>("--scrapes") { Description = "Sequential /metrics scrapes.", DefaultValueFactory = _ => 1000 };
        var minutes = new Option<double>("--pgbench-minutes") { Description = "Minutes of pgbench through the sidecar (0: none).", DefaultValueFactory = _ => 10 };
        var jitMinutes = new Option<double?>("--jit-pgbench-minutes") { Description = "Minutes of pgbench for the JIT build (default: --pgbench-minutes)." };
        var clients = new Option<int>("--pgbench-clients") { Description = "pgbench clients (-c).", DefaultValueFactory = _ => 10 };
        var command = new Command("agent", "Agent start time, RSS, scrape latency and RSS under pgbench (Native AOT, and JIT for comparison).")
        {
            agent, jit, starts, scrapes, minutes, jitMinutes, clients,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var runs = new List<(string Name, string Path, double Minutes)> { ("native (AOT)", parsed.GetValue(agent)!, parsed.GetValue(minutes)) };
            if (parsed.GetValue(jit) is { } jitPath)
            {
                runs.Add(("JIT", jitPath, parsed.GetValue(jitMinutes) ?? parsed.GetValue(minutes)));
            }

            return await RunAsync(runs, parsed.GetValue(starts), parsed.GetValue(scrapes), parsed.GetValue(clients), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(List<(string Name, string Path, double Minutes)> runs, int starts, int scrapes, int clients, CancellationToken ct)
    {
        foreach (var (_, path, _) in runs)
        {
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"sidepool-bench agent: {path} does not exist");
                return 2;
            }
        }

        await using var postgres = await StartPostgresAsync(ct);

        var results = new List<Result>();
        foreach (var (name, path, minutes) in runs)
        {
            Console.WriteLine($"== {name}: {path}");
            results.Add(await MeasureAsync(name, path, postgres, starts, scrapes, minutes, clients, ct));
        }

        Console.WriteLine();
        Console.WriteLine($"| Agent ({DateTime.UtcNow:yyyy-MM-dd}, load average {LoadAverage()}) | {string.Join(" | ", results.Select(r => r.Name))} |");
        Console.WriteLine($"|---|{string.Concat(results.Select(_ => "---:|"))}");
        Row($"start → first /healthz 200 seen by a poller (every {PollInterval.TotalMilliseconds:0} ms), median of {starts} (min–max)", results, r => $"{r.StartMedian:F0} ms ({r.StartMin:F0}–{r.StartMax:F0})");
        Row("RSS at the first 200", results, r => Mb(r.RssAtFirst200));
        Row("RSS idle (3 s after the first 200)", results, r => Mb(r.RssIdle));
        Row($"RSS after {scrapes:N0} scrapes of /metrics", results, r => Mb(r.RssAfterScrapes));
        Row("one /metrics scrape, p50 / p99 (client-side, sequential)", results, r => $"{r.ScrapeP50:F2} / {r.ScrapeP99:F2} ms");
        Row("pgbench through the sidecar", results, r => r.Pgbench ?? "—");
        Row("RSS during pgbench: min / max (sampled every 10 s)", results, r => r.RssDuring.Count == 0 ? "—" : $"{Mb(r.RssDuring.Min())} / {Mb(r.RssDuring.Max())}");
        Row("RSS during pgbench: first minute → last minute (mean)", results, r => r.RssDuring.Count == 0 ? "—" : $"{Mb(r.FirstMinute)} → {Mb(r.LastMinute)}");
        Row("RSS 5 s after pgbench", results, r => r.RssAfterPgbench is { } after ? Mb(after) : "—");
        Row("RSS grows under load (last minute > first minute + 1 MB)", results, r => r.RssDuring.Count == 0 ? "—" : r.LastMinute > r.FirstMinute + 1024 ? "yes" : "no");
        return 0;
    }

    /// <summary>PostgreSQL 15 (SCRAM over TCP) with the role and database the sidecar logs in as, and pgbench's tables at scale 10.</summary>
    internal static async Task<PostgresServer> StartPostgresAsync(CancellationToken ct)
    {
        var postgres = await PostgresServer.StartAsync(new PostgresOptions { MaxConnections = 120 }, ct);
        try
        {
            await postgres.CreateRoleAsync(User, Password, ct);
            await postgres.CreateDatabaseAsync(Database, User, ct);
            var init = Stopwatch.StartNew();
            await RunPgbenchAsync(["-i", "-q", "-s", "10", "-h", "127.0.0.1", "-p", Invariant(postgres.Port), "-U", User, Database], ct);
            Console.WriteLine($"PostgreSQL {postgres.Port}: pgbench -i -s 10 in {init.Elapsed.TotalSeconds:F1} s; load average {LoadAverage()}");
            return postgres;
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    private static void Row(string label, List<Result> results, Func<Result, string> value) =>
        Console.WriteLine($"| {label} | {string.Join(" | ", results.Select(value))} |");

    internal static async Task<Result> MeasureAsync(string name, string path, PostgresServer postgres, int starts, int scrapes, double minutes, int clients, CancellationToken ct)
    {
        var times = new List<double>();
        for (var i = 0; i < starts; i++)
        {
            await using var started = await StartAgentAsync(path, postgres, ct);
            times.Add(started.TimeTo200.TotalMilliseconds);
            await started.StopAsync();
        }

        times.Sort();
        Console.WriteLine($"start → 200 (ms): {string.Join(' ', times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))}");

        await using var agent = await StartAgentAsync(path, postgres, ct);
        var rssAtFirst = agent.RssAtFirst200;
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var rssIdle = agent.Rss();
        var latencies = new List<double>(scrapes);
        for (var i = 0; i < scrapes; i++)
        {
            var clock = Stopwatch.GetTimestamp();
            var (status, _) = await GetAsync(agent.HttpPort, "/metrics", ct);
            latencies.Add(Stopwatch.GetElapsedTime(clock).TotalMilliseconds);
            if (status != 200)
            {
                throw new InvalidOperationException($"/metrics answered {status}");
            }
        }

        var rssAfterScrapes = agent.Rss();
        latencies.Sort();
        Console.WriteLine($"RSS at first 200 {Mb(rssAtFirst)}, idle {Mb(rssIdle)}, after {scrapes} scrapes {Mb(rssAfterScrapes)}; scrape p50 {Percentile(latencies, 0.5):F2} ms p99 {Percentile(latencies, 0.99):F2} ms");

        var samples = new List<(double Seconds, long Rss)>();
        string? pgbench = null;
        long? rssAfterPgbench = null;
        if (minutes > 0)
        {
            (pgbench, samples) = await SoakAsync(agent, minutes, clients, ct);
            await Task.Delay(TimeSpan.FromSeconds(5), ct);
            rssAfterPgbench = agent.Rss();
            Console.WriteLine($"pgbench: {pgbench}; RSS 5 s after {Mb(rssAfterPgbench.Value)}");
        }

        var exitCode = await agent.StopAsync();
        Console.WriteLine($"agent exited with code {exitCode}");
        var during = samples.Select(s => s.Rss).ToList();
        var end = samples.Count > 0 ? samples[^1].Seconds : 0;
        return new Result(
            name,
            Percentile(times, 0.5),
            times[0],
            times[^1],
            rssAtFirst,
            rssIdle,
            rssAfterScrapes,
            Percentile(latencies, 0.5),
            Percentile(latencies, 0.99),
            pgbench,
            during,
            Mean(samples.Where(s => s.Seconds <= 60).Select(s => s.Rss)),
            Mean(samples.Where(s => s.Seconds >= end - 60).Select(s => s.Rss)),
            rssAfterPgbench);
    }

    /// <summary>pgbench -S through the sidecar for <paramref name="minutes"/>, while Prometheus and the kubelet would ask: /metrics every 10 s, /healthz and /readyz every 10 s; RSS sampled every 10 s.</summary>
    private static async Task<(string Summary, List<(double Seconds, long Rss)> Samples)> SoakAsync(RunningAgent agent, double minutes, int clients, CancellationToken ct)
    {
        var seconds = Math.Max(1, (int)Math.Round(minutes * 60));
        var samples = new List<(double Seconds, long Rss)>();
        var clock = Stopwatch.StartNew();
        var run = RunPgbenchAsync(["-S", "-n", "-c", Invariant(clients), "-j", "2", "-T", Invariant(seconds), "-P", "60", "-h", "127.0.0.1", "-p", Invariant(agent.ListenPort), "-U", User, Database], ct);
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10), ct));
            if (run.IsCompleted)
            {
                break;
            }

            await GetAsync(agent.HttpPort, "/metrics", ct);
            await GetAsync(agent.HttpPort, "/healthz", ct);
            await GetAsync(agent.HttpPort, "/readyz", ct);
            samples.Add((clock.Elapsed.TotalSeconds, agent.Rss()));
            if (samples.Count % 6 == 0)
            {
                Console.WriteLine($"  {clock.Elapsed.TotalMinutes:F1} min: RSS {Mb(samples[^1].Rss)}");
            }
        }

        var output = await run;
        var tps = TpsLine().Match(output) is { Success: true } m ? m.Groups[1].Value : "?";
        var failed = FailedLine().Match(output) is { Success: true } f ? f.Groups[1].Value : "?";
        return ($"pgbench -S -c {clients} -j 2, {minutes:0.#} min: {tps} tps, {failed} failed", samples);
    }

    internal static async Task<RunningAgent> StartAgentAsync(string path, PostgresServer postgres, CancellationToken ct)
    {
        var directory = new TestDirectory("bench");
        var mount = new PoolMount(directory);
        var socketDirectory = directory.CreateSubdirectory("run");
        var listenPort = FreePort.Next();
        var httpPort = FreePort.Next();
        mount.Publish(Render(mount.Directory, socketDirectory, postgres.Port, listenPort).Files);
        string[] args =
        [
            "--config-dir", mount.Directory, "--runtime-dir", directory.PathOf("runtime"), "--pgbouncer", Binaries.PgBouncer,
            "--http-address", "127.0.0.1", "--http-port", Invariant(httpPort),
        ];
        var clock = Stopwatch.GetTimestamp();
        var process = ManagedProcess.Start(path, args, new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" });
        var agent = new RunningAgent(directory, process, listenPort, httpPort, socketDirectory);
        var deadline = clock + (Stopwatch.Frequency * 30);
        while (true)
        {
            var (status, _) = await GetAsync(httpPort, "/healthz", ct);
            if (status == 200)
            {
                agent.TimeTo200 = Stopwatch.GetElapsedTime(clock);
                agent.RssAtFirst200 = agent.Rss();
                return agent;
            }

            if (process.HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                var output = process.Output;
                await agent.DisposeAsync();
                throw new InvalidOperationException($"the agent did not answer /healthz 200 within 30 s:\n{output}");
            }

            await Task.Delay(PollInterval, ct);
        }
    }

    /// <summary>
    /// The sidecar's files as the operator renders them (<see cref="PoolRenderer"/>, what <c>PoolVersionBuilder</c>
    /// calls) for a pool that sets only its backend and the sidecar's port: every other field at its default
    /// (transaction mode, pool size 10, 100 clients, <c>clientAuth: trust</c>, unix socket on). Only the layout differs
    /// from a pod's (<c>/etc/sidepool/pool</c>, <c>/var/run/sidepool</c>): a mount and socket directory of this run.
    /// </summary>
    private static RenderedPool Render(string mountDirectory, string socketDirectory, int backendPort, int listenPort)
    {
        var spec = new ConnectionPoolSpec
        {
            Backend = new BackendSpec { Host = "127.0.0.1", Port = backendPort, Database = Database, CredentialsSecret = new CredentialsSecretRef { Name = "bench-credentials" } },
            Sidecar = new SidecarSpec { Port = listenPort },
        };
        var secrets = new PoolKey([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
        var client = new ClientCredentials(User, ClientCredentials.GeneratePassword());
        var layout = new RenderLayout { ConfigDirectory = mountDirectory, SocketDirectory = socketDirectory };
        var config = PoolRenderer.Render("bench", spec, new PoolCredentials(User, Password), client, secrets, layout);
        return PoolRenderer.Finish(config, "bench-version", "sidepool-agent:bench", secrets);
    }

    internal static async Task<string> RunPgbenchAsync(IEnumerable<string> arguments, CancellationToken ct)
    {
        var info = new ProcessStartInfo("pgbench") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["PGPASSWORD"] = Password;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start pgbench");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = await stdout + await stderr;
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"pgbench exited with {process.ExitCode}:\n{output}");
    }

    private static async Task<(int Status, string Body)> GetAsync(int port, string path, CancellationToken ct)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{Invariant(port)}{path}"), ct);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }
        catch (HttpRequestException e)
        {
            return (0, e.Message);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static long Mean(IEnumerable<long> values) => values.DefaultIfEmpty(0).Sum() / Math.Max(1, values.Count());

    private static string Mb(long kb) => (kb / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"number of failed transactions: ([0-9]+)")]
    private static partial Regex FailedLine();

    internal sealed record Result(
        string Name,
        double StartMedian,
        double StartMin,
        double StartMax,
        long RssAtFirst200,
        long RssIdle,
        long RssAfterScrapes,
        double ScrapeP50,
        double ScrapeP99,
        string? Pgbench,
        List<long> RssDuring,
        long FirstMinute,
        long LastMinute,
        long? RssAfterPgbench);

    /// <summary>One agent process on its own mount, ports and runtime directory.</summary>
    internal sealed class RunningAgent(TestDirectory directory, ManagedProcess process, int listenPort, int httpPort, string socketDirectory) : IAsyncDisposable
    {
        public int ListenPort { get; } = listenPort;

        /// <summary>Where PgBouncer's unix socket is (<c>.s.PGSQL.&lt;ListenPort&gt;</c>), as an app container sharing the emptyDir sees it.</summary>
        public string SocketDirectory { get; } = socketDirectory;

        public int HttpPort { get; } = httpPort;

        public TimeSpan TimeTo200 { get; set; }

        public long RssAtFirst200 { get; set; }

        /// <summary>The agent's VmRSS in kB (the agent alone: PgBouncer is a process of its own).</summary>
        public long Rss()
        {
            var line = File.ReadAllLines($"/proc/{process.Id}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }

        /// <summary>SIGTERM (the drain) and the exit code.</summary>
        public async Task<int> StopAsync()
        {
            if (!process.HasExited)
            {
                process.Signal(PosixSignalNumber.Term);
                await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }

            return process.HasExited ? process.ExitCode : -1;
        }

        public async ValueTask DisposeAsync()
        {
            await process.DisposeAsync();
            directory.Dispose();
        }
    }
}
