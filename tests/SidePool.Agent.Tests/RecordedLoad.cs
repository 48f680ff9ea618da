using System.Globalization;
using SidePool.Agent.Telemetry;
using SidePool.PgBouncer.Admin;
using SidePool.Testing;

namespace SidePool.Agent.Tests;

/// <summary>Reads a recording of PgBouncer's admin console (tests/SidePool.Agent.Tests/Recorded, see its README.md).</summary>
internal static class RecordedLoad
{
    /// <summary>What <c>GET /load</c> answers after every sample of a recording went through the agent's window (nothing closed).</summary>
    public static SidePool.Contract.LoadReport Replay(string file, Action<double, long>? waited = null)
    {
        var samples = Read(file);
        var window = new LoadWindow();
        foreach (var (ms, observation) in samples)
        {
            window.Record(ms, observation, [0, 0, 0], waited: waited);
        }

        return window.Report(samples[^1].Milliseconds);
    }

    /// <summary>The samples of a recording: milliseconds since the first, and what PgBouncer answered (null: nothing).</summary>
    public static IReadOnlyList<(long Milliseconds, LoadObservation? Observation)> Read(string file)
    {
        var samples = new List<(long, LoadObservation?)>();
        long? time = null;
        Dictionary<string, List<Dictionary<string, string>>>? sections = null;
        List<Dictionary<string, string>>? rows = null;
        string[]? header = null;
        foreach (var line in File.ReadLines(SourceTree.PathOf("tests", "SidePool.Agent.Tests", "Recorded", file)))
        {
            if (line.StartsWith("# sample ", StringComparison.Ordinal))
            {
                Flush();
                time = long.Parse(line["# sample ".Length..], CultureInfo.InvariantCulture);
                sections = new Dictionary<string, List<Dictionary<string, string>>>(StringComparer.Ordinal);
                rows = null;
            }
            else if (line.StartsWith("SHOW ", StringComparison.Ordinal))
            {
                rows = sections![line] = [];
                header = null;
            }
            else if (header is null)
            {
                header = line.Split('|');
            }
            else
            {
                var values = line.Split('|');
                rows!.Add(header.Zip(values).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
            }
        }

        Flush();
        return samples;

        void Flush()
        {
            if (time is { } ms)
            {
                samples.Add((ms, sections!.Count == 0 ? null : new LoadObservation(
                    [.. sections["SHOW POOLS"].Select(Pool)],
                    [.. sections["SHOW STATS_TOTALS"].Select(Totals)],
                    [.. sections["SHOW DATABASES"].Select(Database)])));
            }
        }
    }

    private static PoolStatus Pool(Dictionary<string, string> r) => new(
        r["database"], r["user"], Long(r, "cl_active"), Long(r, "cl_waiting"), Long(r, "cl_active_cancel_req"), Long(r, "cl_waiting_cancel_req"),
        Long(r, "sv_active"), Long(r, "sv_active_cancel"), Long(r, "sv_being_canceled"), Long(r, "sv_idle"), Long(r, "sv_used"), Long(r, "sv_tested"),
        Long(r, "sv_login"), Long(r, "maxwait"), Long(r, "maxwait_us"), r["pool_mode"]);

    private static DatabaseStatsTotals Totals(Dictionary<string, string> r) => new(
        r["database"], Long(r, "xact_count"), Long(r, "query_count"), Long(r, "bytes_received"), Long(r, "bytes_sent"),
        Long(r, "xact_time"), Long(r, "query_time"), Long(r, "wait_time"));

    private static DatabaseStatus Database(Dictionary<string, string> r) => new(
        r["name"], r["host"], r["port"], r["database"], r["force_user"], Long(r, "pool_size"), Long(r, "reserve_pool"), r["pool_mode"],
        Long(r, "max_connections"), Long(r, "current_connections"), Long(r, "paused") != 0, Long(r, "disabled") != 0);

    private static long Long(Dictionary<string, string> row, string column) => long.Parse(row[column], CultureInfo.InvariantCulture);
}
