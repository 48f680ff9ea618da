using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using SidePool.Testing;

namespace SidePool.Bench;

/// <summary>
/// pgbench, the same script, clients, threads and duration, against the four ways an application can reach
/// PostgreSQL here: (a) directly over TCP with SCRAM, (b) a central PgBouncer configured as CloudNativePG's Pooler
/// (<see cref="CentralPgBouncer"/>) over TCP with SCRAM, (c) SidePool's sidecar (the real agent starting PgBouncer on
/// the files the operator renders) over TCP 127.0.0.1 and (d) over its unix socket; each with a new connection per
/// transaction (<c>-C</c>) and with persistent connections. Reported, never asserted (docs/benchmarks.md).
/// </summary>
internal static partial class PgbenchMatrix
{
    public const string Direct = "PostgreSQL direct (TCP, SCRAM)";
    public const string Central = "central PgBouncer as CloudNativePG (TCP, SCRAM)";
    public const string SidecarTcp = "SidePool sidecar (TCP 127.0.0.1)";
    public const string SidecarSocket = "SidePool sidecar (unix socket)";

    public static Command Command()
    {
        var agent = new Option<string>("--agent") { Description = "The Native AOT sidepool-agent (make agent-aot: out/agent-aot/sidepool-agent).", Required = true };
        var settings = SettingsOptions.Create();
        var command = new Command("pgbench-matrix", "pgbench -S, connect per transaction and persistent: PostgreSQL direct, a central PgBouncer as CloudNativePG renders it, the sidecar over TCP and over its socket.") { agent };
        settings.AddTo(command);
        command.SetAction(async (parsed, ct) =>
        {
            await using var postgres = await AgentBench.StartPostgresAsync(ct);
            var results = await RunAsync(postgres, parsed.GetValue(agent)!, settings.Read(parsed), ct);
            Console.WriteLine();
            foreach (var line in Table(results))
            {
                Console.WriteLine(line);
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// Every target, -C then persistent, one after the other (never two pgbench at once), in
    /// <see cref="PgbenchSettings.Rounds"/> rounds: the load of a shared machine drifts, and a target measured only at
    /// its start would not be comparable with one measured at its end. Each result is the median of its rounds.
    /// </summary>
    public static async Task<List<PgbenchResult>> RunAsync(PostgresServer postgres, string agentPath, PgbenchSettings settings, CancellationToken ct)
    {
        if (!File.Exists(agentPath))
        {
            throw new BenchmarkFailedException($"--agent: {agentPath} does not exist (make agent-aot)");
        }

        var runs = new List<PgbenchRun>();
        await using var central = await CentralPgBouncer.StartAsync(postgres, AgentBench.Database, ct);
        await using var sidecar = await AgentBench.StartAgentAsync(agentPath, postgres, ct);
        var targets = new (string Name, string Host, int Port)[]
        {
            (Direct, "127.0.0.1", postgres.Port),
            (Central, "127.0.0.1", central.Port),
            (SidecarTcp, "127.0.0.1", sidecar.ListenPort),
            (SidecarSocket, sidecar.SocketDirectory, sidecar.ListenPort),
        };
        for (var round = 1; round <= settings.Rounds; round++)
        {
            foreach (var connectPerTransaction in new[] { true, false })
            {
                foreach (var (name, host, port) in targets)
                {
                    var run = await RunOneAsync(name, host, port, connectPerTransaction, settings, ct);
                    Console.WriteLine($"  round {round}: {run.Target}, {(connectPerTransaction ? "-C" : "persistent")}: {run.Tps:F0} tps, latency {run.LatencyMs:F3} ms, {run.Failed} failed (load average {AgentBench.LoadAverage()})");
                    runs.Add(run);
                }
            }
        }

        return [.. runs.GroupBy(r => (r.Target, r.ConnectPerTransaction)).Select(g => new PgbenchResult(
            g.Key.Target,
            g.Key.ConnectPerTransaction,
            Stats.Median([.. g.Select(r => r.Tps)]),
            g.Min(r => r.Tps),
            g.Max(r => r.Tps),
            Stats.Median([.. g.Select(r => r.LatencyMs)]),
            g.Sum(r => r.Failed),
            g.Sum(r => r.Transactions)))];
    }

    /// <summary>The ratios the issue sets targets for, and the table of every run.</summary>
    public static IEnumerable<string> Table(List<PgbenchResult> results)
    {
        yield return "| pgbench -S (median of the rounds) | connect per transaction (-C): tps (min–max) | latency | persistent: tps (min–max) | latency |";
        yield return "|---|---:|---:|---:|---:|";
        foreach (var target in results.Select(r => r.Target).Distinct())
        {
            var c = results.Single(r => r.Target == target && r.ConnectPerTransaction);
            var p = results.Single(r => r.Target == target && !r.ConnectPerTransaction);
            yield return string.Create(CultureInfo.InvariantCulture, $"| {target} | {c.Tps:N0} ({c.TpsMin:N0}–{c.TpsMax:N0}) | {c.LatencyMs:F2} ms | {p.Tps:N0} ({p.TpsMin:N0}–{p.TpsMax:N0}) | {p.LatencyMs:F3} ms |");
        }
    }

    public static double Tps(List<PgbenchResult> results, string target, bool connectPerTransaction) =>
        results.Single(r => r.Target == target && r.ConnectPerTransaction == connectPerTransaction).Tps;

    private static async Task<PgbenchRun> RunOneAsync(string name, string host, int port, bool connectPerTransaction, PgbenchSettings s, CancellationToken ct)
    {
        var args = new List<string>
        {
            "-S", "-n", "-c", Invariant(s.Clients), "-j", Invariant(s.Threads), "-T", Invariant(s.Seconds),
            "-h", host, "-p", Invariant(port), "-U", AgentBench.User, AgentBench.Database,
        };
        if (connectPerTransaction)
        {
            args.Insert(0, "-C");
        }

        var output = await AgentBench.RunPgbenchAsync(args, ct);
        double Number(Regex pattern, string what) => pattern.Match(output) is { Success: true } m
            ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new BenchmarkFailedException($"pgbench printed no {what} for {name}:\n{output}");
        var failed = FailedLine().Match(output) is { Success: true } f ? long.Parse(f.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new PgbenchRun(name, connectPerTransaction, Number(TpsLine(), "tps"), Number(LatencyLine(), "latency average"), failed, (long)Number(ProcessedLine(), "transactions processed"));
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^tps = ([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"^latency average = ([0-9.]+) ms", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"number of transactions actually processed: ([0-9]+)")]
    private static partial Regex ProcessedLine();

    [GeneratedRegex(@"number of failed transactions: ([0-9]+)")]
    private static partial Regex FailedLine();
}

/// <summary>pgbench's load, the same for every target.</summary>
internal sealed record PgbenchSettings(int Clients, int Threads, int Seconds, int Rounds)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"pgbench -S (built-in select-only: one SELECT by primary key per transaction, scale 10), -c {Clients} -j {Threads} -T {Seconds}, simple protocol, {Rounds} rounds over every target (median)");
}

/// <summary>One pgbench run.</summary>
internal sealed record PgbenchRun(string Target, bool ConnectPerTransaction, double Tps, double LatencyMs, long Failed, long Transactions);

/// <summary>A target and mode over its rounds: median tps and latency, the tps spread, failures and transactions summed.</summary>
internal sealed record PgbenchResult(string Target, bool ConnectPerTransaction, double Tps, double TpsMin, double TpsMax, double LatencyMs, long Failed, long Transactions);

/// <summary>The pgbench options, shared by <c>pgbench-matrix</c> and <c>all</c>.</summary>
internal sealed class SettingsOptions
{
    private readonly Option<int> _clients = new("--pgbench-clients") { Description = "pgbench clients (-c), every target.", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _threads = new("--pgbench-threads") { Description = "pgbench threads (-j), every target.", DefaultValueFactory = _ => 2 };
    private readonly Option<int> _seconds = new("--pgbench-seconds") { Description = "Seconds of each pgbench run (-T).", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _rounds = new("--pgbench-rounds") { Description = "Rounds over every target and mode (the median is reported).", DefaultValueFactory = _ => 3 };

    public static SettingsOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(_clients);
        command.Options.Add(_threads);
        command.Options.Add(_seconds);
        command.Options.Add(_rounds);
    }

    public PgbenchSettings Read(ParseResult parsed) => new(parsed.GetValue(_clients), parsed.GetValue(_threads), parsed.GetValue(_seconds), Math.Max(1, parsed.GetValue(_rounds)));
}
