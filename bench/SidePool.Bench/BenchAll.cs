using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SidePool.Testing;

namespace SidePool.Bench;

/// <summary>
/// <c>make bench</c>: every measurement of issue 13 in one run, one after the other (never two at once), and one table
/// with the issue's targets: pgbench through PostgreSQL direct, a central PgBouncer as CloudNativePG configures it and
/// the sidecar over TCP and its socket; the agent's start and RSS; the webhook's latency under concurrent load; the
/// operator's convergence and RSS at 500 pools × 5,000 pods and 2,000 × 20,000. Printed, and written to
/// <c>bench.md</c> and <c>pgbench.png</c> in the output directory. Targets are reported (met/missed), never asserted.
/// </summary>
internal static class BenchAll
{
    public static Command Command()
    {
        var operatorPath = new Option<string>("--operator") { Description = "The sidepool-operator executable (apphost).", Required = true };
        var agentPath = new Option<string>("--agent") { Description = "The Native AOT sidepool-agent (make agent-aot).", Required = true };
        var output = new Option<string>("--output-dir") { Description = "Where bench.md and pgbench.png go.", Required = true };
        var starts = new Option<int>("--agent-starts") { Description = "Agent starts for the start-to-200 median.", DefaultValueFactory = _ => 10 };
        var scale = new Option<string[]>("--scale") { Description = "Operator scale runs, POOLSxPODS_PER_POOL (repeatable; 'none' skips them).", DefaultValueFactory = _ => ["500x10", "2000x10"], AllowMultipleArgumentsPerToken = true };
        var pgbench = SettingsOptions.Create();
        var webhook = WebhookBenchOptions.Create();
        var command = new Command("all", "Every measurement of make bench in one run: one table with the targets, written as Markdown and a plot.") { operatorPath, agentPath, output, starts, scale };
        pgbench.AddTo(command);
        webhook.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            var scales = new List<(int Pools, int PodsPerPool)>();
            foreach (var item in parsed.GetValue(scale)!.Where(s => s != "none"))
            {
                var parts = item.Split('x');
                if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pools) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var pods) || pools < 1 || pods < 1)
                {
                    Console.Error.WriteLine($"sidepool-bench all: --scale {item}: expected POOLSxPODS_PER_POOL, e.g. 500x10");
                    return 2;
                }

                scales.Add((pools, pods));
            }

            foreach (var (name, path) in new[] { ("--operator", parsed.GetValue(operatorPath)!), ("--agent", parsed.GetValue(agentPath)!) })
            {
                if (!File.Exists(path))
                {
                    Console.Error.WriteLine($"sidepool-bench all: {name} {path} does not exist");
                    return 2;
                }
            }

            var run = new Run(parsed.GetValue(operatorPath)!, parsed.GetValue(agentPath)!, Path.GetFullPath(parsed.GetValue(output)!), parsed.GetValue(starts), scales, pgbench.Read(parsed), webhook.Read(parsed));
            return await run.ExecuteAsync(ct);
        });
        return command;
    }

    private sealed class Run(string operatorPath, string agentPath, string outputDirectory, int agentStarts, List<(int Pools, int PodsPerPool)> scales, PgbenchSettings pgbench, WebhookSettings webhook)
    {
        private readonly List<Row> _rows = [];
        private readonly List<string> _notes = [];
        private readonly List<(string Section, TimeSpan Took, string LoadBefore, string LoadAfter)> _sections = [];
        private List<PgbenchResult> _pgbench = [];
        private bool _failed;

        public async Task<int> ExecuteAsync(CancellationToken ct)
        {
            Directory.CreateDirectory(outputDirectory);
            var started = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            var loadBefore = AgentBench.LoadAverage();
            Console.WriteLine($"sidepool-bench all: {started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {loadBefore}");

            await SectionAsync("pgbench and agent", async () =>
            {
                await using var postgres = await AgentBench.StartPostgresAsync(ct);
                await SectionAsync("pgbench", () => PgbenchAsync(postgres, ct));
                await SectionAsync("agent", () => AgentAsync(postgres, ct));
            });
            await SectionAsync("webhook", () => WebhookAsync(ct));
            foreach (var (pools, podsPerPool) in scales)
            {
                await SectionAsync($"operator {pools}x{pools * podsPerPool}", () => ScaleAsync(pools, podsPerPool, ct));
            }

            var loadAfter = AgentBench.LoadAverage();
            var markdown = Markdown(started, clock.Elapsed, loadBefore, loadAfter);
            var mdPath = Path.Combine(outputDirectory, "bench.md");
            await File.WriteAllTextAsync(mdPath, markdown, ct);
            if (_pgbench.Count > 0)
            {
                BenchPlot.Save(_pgbench, pgbench, Path.Combine(outputDirectory, "pgbench.png"));
            }

            Console.WriteLine();
            Console.WriteLine(markdown);
            Console.WriteLine($"written: {mdPath}{(_pgbench.Count > 0 ? ", " + Path.Combine(outputDirectory, "pgbench.png") : "")}");
            return _failed ? 1 : 0;
        }

        /// <summary>Runs one part; a part that fails is reported as a row and the others still run.</summary>
        private async Task SectionAsync(string name, Func<Task> body)
        {
            Console.WriteLine($"== {name} (load average {AgentBench.LoadAverage()})");
            var before = AgentBench.LoadAverage();
            var clock = Stopwatch.StartNew();
            try
            {
                await body();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _failed = true;
                Console.Error.WriteLine($"{name} failed: {ex.Message}");
                _rows.Add(new Row(name, "failed", ex.Message.Split('\n')[0], "", ""));
            }

            _sections.Add((name, clock.Elapsed, before, AgentBench.LoadAverage()));
            Console.WriteLine($"== {name}: {clock.Elapsed.TotalSeconds:F0} s");
        }

        private async Task PgbenchAsync(PostgresServer postgres, CancellationToken ct)
        {
            _pgbench = await PgbenchMatrix.RunAsync(postgres, agentPath, pgbench, ct);
            const string Section = "pgbench";
            foreach (var r in _pgbench)
            {
                var latency = r.ConnectPerTransaction ? $"{r.LatencyMs:F2} ms" : $"{r.LatencyMs:F3} ms";
                _rows.Add(new Row(Section, $"{r.Target}, {(r.ConnectPerTransaction ? "-C" : "persistent")}: tps (rounds min–max), latency average{(r.Failed > 0 ? ", failed" : "")}", $"{r.Tps:N0} ({r.TpsMin:N0}–{r.TpsMax:N0}), {latency}{(r.Failed > 0 ? $", {r.Failed} failed" : "")}", "", ""));
            }

            double Tps(string target, bool c) => PgbenchMatrix.Tps(_pgbench, target, c);
            void Ratio(string name, double value, double? atLeast)
            {
                _rows.Add(new Row(Section, name, $"{value:F1}×", atLeast is { } t ? $"≥ {t:0.#}×" : "", atLeast is { } min ? Verdict(value >= min) : ""));
            }

            Ratio("-C: sidecar over its socket ÷ direct", Tps(PgbenchMatrix.SidecarSocket, true) / Tps(PgbenchMatrix.Direct, true), 40);
            Ratio("-C: sidecar over TCP ÷ direct", Tps(PgbenchMatrix.SidecarTcp, true) / Tps(PgbenchMatrix.Direct, true), 40);
            Ratio("-C: sidecar over its socket ÷ central", Tps(PgbenchMatrix.SidecarSocket, true) / Tps(PgbenchMatrix.Central, true), 25);
            Ratio("-C: sidecar over TCP ÷ central", Tps(PgbenchMatrix.SidecarTcp, true) / Tps(PgbenchMatrix.Central, true), 25);
            Ratio("persistent: sidecar over its socket ÷ direct", Tps(PgbenchMatrix.SidecarSocket, false) / Tps(PgbenchMatrix.Direct, false), 0.8);
            Ratio("persistent: sidecar over TCP ÷ direct", Tps(PgbenchMatrix.SidecarTcp, false) / Tps(PgbenchMatrix.Direct, false), null);
            Ratio("persistent: central ÷ direct", Tps(PgbenchMatrix.Central, false) / Tps(PgbenchMatrix.Direct, false), null);
            _notes.Add($"pgbench: {pgbench.Describe()}; in each round every target in turn, -C first, against one PostgreSQL 15 (`pgbench -i -s 10`, SCRAM over TCP). The sidecar is the Native AOT agent (`{agentPath}`) starting PgBouncer {PgBouncerVersion()} on the files `PoolRenderer` renders for a pool with default settings (transaction mode, pool size 10, `clientAuth: trust`); the central PgBouncer is configured as CloudNativePG's Pooler renders it (session mode, `auth_query`, SCRAM; TLS off; see docs/benchmarks.md).");
        }

        private async Task AgentAsync(PostgresServer postgres, CancellationToken ct)
        {
            var r = await AgentBench.MeasureAsync("native (AOT)", agentPath, postgres, agentStarts, 1000, 0, pgbench.Clients, ct);
            const string Section = "agent";
            _rows.Add(new Row(Section, $"start → first /healthz 200 seen by a poller (every 5 ms), median of {agentStarts} (min–max)", $"{r.StartMedian:F0} ms ({r.StartMin:F0}–{r.StartMax:F0})", "< 150 ms (issue 11)", Verdict(r.StartMedian < 150)));
            _rows.Add(new Row(Section, "RSS at the first 200", Mb(r.RssAtFirst200), "", ""));
            _rows.Add(new Row(Section, "RSS idle (3 s later)", Mb(r.RssIdle), "< 20 MB (issue 11)", Verdict(r.RssIdle / 1024.0 < 20)));
            _rows.Add(new Row(Section, "RSS after 1,000 /metrics scrapes", Mb(r.RssAfterScrapes), "< 20 MB (issue 11)", Verdict(r.RssAfterScrapes / 1024.0 < 20)));
            _rows.Add(new Row(Section, "one /metrics scrape, p50 / p99 (sequential)", $"{r.ScrapeP50:F2} / {r.ScrapeP99:F2} ms", "< 5 ms (issue 11)", Verdict(r.ScrapeP99 < 5)));
            _notes.Add("agent: `sidepool-bench agent`'s measurement (docs/benchmarks.md, \"Agent\") without the pgbench soak; RSS is the agent's own `VmRSS` (PgBouncer is a process of its own); MB = MiB.");
        }

        private async Task WebhookAsync(CancellationToken ct)
        {
            var r = await WebhookLatency.RunAsync(operatorPath, webhook, ct);
            const string Section = "webhook";
            _rows.Add(new Row(Section, $"AdmissionReview → whole answer, p50 (client-side, {r.Settings.Clients} concurrent clients)", $"{r.P50Ms:F2} ms", "", ""));
            _rows.Add(new Row(Section, $"AdmissionReview → whole answer, p99 ({r.Reviews:N0} reviews)", $"{r.P99Ms:F2} ms", "< 2 ms", Verdict(r.P99Ms < 2)));
            _rows.Add(new Row(Section, "slowest review", $"{r.MaxMs:F2} ms", "", ""));
            _rows.Add(new Row(Section, $"for comparison: one client, nothing reconciling, p50 / p99 ({r.Reviews:N0} reviews)", $"{r.SequentialP50Ms:F2} / {r.SequentialP99Ms:F2} ms", "", ""));
            _rows.Add(new Row(Section, "reviews per second (all clients)", $"{r.PerSecond:F0}", "", ""));
            _rows.Add(new Row(Section, "answers that were not an injection patch", r.Failed.ToString(CultureInfo.InvariantCulture), "0", Verdict(r.Failed == 0)));
            _rows.Add(new Row(Section, "operator reconciles during the measurement (spec changes sent)", $"{r.Reconciles:F0} ({r.SpecChanges})", "", ""));
            _rows.Add(new Row(Section, "operator CPU during the measurement (reviews and reconciles)", $"{r.OperatorCpuMs:F0} ms in {r.WallMs:F0} ms ({r.OperatorCpuMs / r.Reviews:F2} ms per review)", "", ""));
            _notes.Add($"webhook: {r.Settings.Describe()}; real HTTPS to the operator's `/mutate-pods` (a process of its own against the fake API server, its self-signed certificate), each answer checked to be allowed with a patch.");
        }

        private async Task ScaleAsync(int pools, int podsPerPool, CancellationToken ct)
        {
            var settings = new OperatorScale.ScaleSettings(operatorPath, pools, podsPerPool, 50, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(pools >= 2000 ? 20 : 15));
            var clock = Stopwatch.StartNew();
            var r = await OperatorScale.RunOnceAsync(settings, ct);
            Console.WriteLine(r.ToLine());
            var section = $"operator, {pools:N0} pools × {pools * podsPerPool:N0} pods";
            var large = pools >= 2000;
            string Seconds(TimeSpan t) => $"{t.TotalSeconds:F1} s";
            _rows.Add(new Row(section, "operator start → every pool has status.currentVersion (median pool)", $"{Seconds(r.AllVersioned)} ({Seconds(r.MedianVersioned)})", large ? "< 10 s" : "", large ? Verdict(r.AllVersioned.TotalSeconds < 10) : ""));
            _rows.Add(new Row(section, "first pod POST → every pool's status.targets counts its pods (median pool)", $"{Seconds(r.AllPodsReported)} ({Seconds(r.MedianReported)})", "", ""));
            var converged = r.AllStamped > r.AllConverged ? r.AllStamped : r.AllConverged;
            _rows.Add(new Row(section, "spec change of every pool → every Deployment stamped / every status on the new version", $"{Seconds(r.AllStamped)} / {Seconds(r.AllConverged)}", large ? "< 10 s" : "", large ? Verdict(converged.TotalSeconds < 10) : ""));
            _rows.Add(new Row(section, "operator RSS, peak (VmHWM) / steady", $"{r.PeakRssMiB:F0} / {r.SteadyRssMiB:F0} MiB", large ? "< 300 MB (286 MiB)" : "", large ? Verdict(r.PeakRssMiB * 1.048576 < 300) : ""));
            _rows.Add(new Row(section, "whole run (seeding, pods, spec change, 10 s settle)", Seconds(clock.Elapsed), "", ""));
        }

        private string Markdown(DateTime started, TimeSpan took, string loadBefore, string loadAfter)
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"# make bench, {started:yyyy-MM-dd HH:mm} UTC");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, {MemTotalGiB():F0} GiB; load average {loadBefore} at the start, {loadAfter} at the end; {took.TotalMinutes:F1} minutes. Targets are issue 13's (issue 11's for the agent): reported, not asserted.");
            text.AppendLine();
            text.AppendLine("| part | measurement | value | target | |");
            text.AppendLine("|---|---|---:|---|---|");
            foreach (var row in _rows)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Section} | {row.Measurement} | {row.Value} | {row.Target} | {row.Verdict} |");
            }

            text.AppendLine();
            foreach (var note in _notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }

            text.AppendLine();
            text.AppendLine("| part | took | load average before → after |");
            text.AppendLine("|---|---:|---|");
            foreach (var (section, sectionTook, before, after) in _sections)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {section} | {sectionTook.TotalSeconds:F0} s | {before} → {after} |");
            }

            if (_pgbench.Count > 0)
            {
                text.AppendLine();
                text.AppendLine("![pgbench](pgbench.png)");
            }

            return text.ToString();
        }

        private static string Verdict(bool met) => met ? "met" : "missed";

        private static string Mb(long kb) => (kb / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " MB";

        private static double MemTotalGiB() =>
            File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
                .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0).FirstOrDefault();

        private static string PgBouncerVersion()
        {
            try
            {
                var info = new ProcessStartInfo(Binaries.PgBouncer, "--version") { RedirectStandardOutput = true, UseShellExecute = false };
                using var process = Process.Start(info)!;
                var first = process.StandardOutput.ReadLine() ?? "";
                process.WaitForExit();
                return first.Replace("PgBouncer ", "", StringComparison.Ordinal).Trim();
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return "?";
            }
        }
    }

    private sealed record Row(string Section, string Measurement, string Value, string Target, string Verdict);
}
