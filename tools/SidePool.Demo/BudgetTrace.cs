using System.Globalization;
using System.Text;

namespace SidePool.Demo;

/// <summary>
/// What the budget scenario (<see cref="BudgetRun"/>) measured (pure: no I/O; the samplers add from their own tasks):
/// PostgreSQL's server connections for the pool's user every 100 ms, and the pool status' server connections every
/// 500 ms.
/// </summary>
internal sealed class BudgetTrace
{
    private readonly Lock _gate = new();
    private readonly List<ConnectionSample> _connections = [];
    private readonly List<StatusSample> _statuses = [];

    public void Add(ConnectionSample sample)
    {
        lock (_gate)
        {
            _connections.Add(sample);
        }
    }

    public void Add(StatusSample sample)
    {
        lock (_gate)
        {
            _statuses.Add(sample);
        }
    }

    public IReadOnlyList<ConnectionSample> Connections
    {
        get
        {
            lock (_gate)
            {
                return [.. _connections];
            }
        }
    }

    public IReadOnlyList<StatusSample> Statuses
    {
        get
        {
            lock (_gate)
            {
                return [.. _statuses];
            }
        }
    }

    /// <summary>The last PostgreSQL sample and the largest so far (0 before any), for the live lines.</summary>
    public (int Last, int Peak) Now()
    {
        lock (_gate)
        {
            return _connections.Count == 0 ? (0, 0) : (_connections[^1].Connections, _connections.Max(c => c.Connections));
        }
    }

    /// <summary>The most server connections PostgreSQL held for the user at a sample, and the first time it did.</summary>
    public static ConnectionSample? Peak(IReadOnlyList<ConnectionSample> samples) =>
        samples.Count == 0 ? null : samples.MaxBy(s => s.Connections);

    /// <summary>The longest time between two consecutive PostgreSQL samples (how fine the sampling really was).</summary>
    public static TimeSpan LargestGap(IReadOnlyList<ConnectionSample> samples) =>
        samples.Count < 2 ? TimeSpan.Zero : samples.Zip(samples.Skip(1), (a, b) => b.Time - a.Time).Max();

    /// <summary>Each status read whose numbers or condition changed, one line each (the run's status.log).</summary>
    public static string StatusLog(IReadOnlyList<StatusSample> statuses, DateTimeOffset start)
    {
        var text = new StringBuilder();
        StatusSample? last = null;
        foreach (var status in statuses)
        {
            if (last is not null && last with { Time = status.Time } == status)
            {
                continue;
            }

            text.Append(CultureInfo.InvariantCulture, $"{(status.Time - start).TotalSeconds,7:0.000} total {status.Total} share {status.Share} admitted {status.Admitted} pending {status.Pending} planned {status.PlannedPods} | {status.Condition}\n");
            last = status;
        }

        return text.ToString();
    }

    /// <summary>
    /// One row per PostgreSQL sample, with the status and the pods per version last seen before it and the step it
    /// falls in: <c>seconds,time,pg_connections,status_total,share,admitted,pending,planned_pods,pods_&lt;v&gt;...,step</c>.
    /// </summary>
    public static string Csv(IReadOnlyList<ConnectionSample> connections, IReadOnlyList<StatusSample> statuses, Timeline timeline, DateTimeOffset start)
    {
        var versions = timeline.Samples.SelectMany(s => s.PodsPerVersion.Keys).Distinct(StringComparer.Ordinal).ToList();
        var text = new StringBuilder("seconds,time,pg_connections,status_total,share,admitted,pending,planned_pods");
        foreach (var version in versions)
        {
            text.Append(CultureInfo.InvariantCulture, $",pods_{version}");
        }

        text.Append(",step\n");
        foreach (var sample in connections)
        {
            var status = statuses.LastOrDefault(s => s.Time <= sample.Time);
            var pods = timeline.Samples.LastOrDefault(s => s.Time <= sample.Time)?.PodsPerVersion;
            var step = timeline.Steps.LastOrDefault(s => s.Start <= sample.Time && (s.End is null || sample.Time <= s.End))?.Name ?? "";
            text.Append(CultureInfo.InvariantCulture, $"{(sample.Time - start).TotalSeconds:0.000},{sample.Time:O},{sample.Connections},{status?.Total},{status?.Share},{status?.Admitted},{status?.Pending},{status?.PlannedPods}");
            foreach (var version in versions)
            {
                text.Append(CultureInfo.InvariantCulture, $",{(pods is null ? "" : pods.GetValueOrDefault(version).ToString(CultureInfo.InvariantCulture))}");
            }

            text.Append(CultureInfo.InvariantCulture, $",\"{step.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n");
        }

        return text.ToString();
    }
}

/// <summary>Server connections PostgreSQL held for the pool's user (<c>pg_stat_activity</c>, client backends) at a time.</summary>
internal sealed record ConnectionSample(DateTimeOffset Time, int Connections);

/// <summary>
/// The pool status' <c>serverConnections</c> at a time (null fields: not reported), and its <c>BudgetExceeded</c>
/// condition (reason: message).
/// </summary>
internal sealed record StatusSample(DateTimeOffset Time, int? Total, int? Share, int? Admitted, int? Pending, int? PlannedPods, string? Condition = null);
