namespace SidePool.Demo;

/// <summary>What the demo saw, second by second, and the steps it took (pure: no I/O).</summary>
internal sealed class Timeline
{
    private readonly List<Sample> _samples = [];
    private readonly List<Step> _steps = [];

    public IReadOnlyList<Sample> Samples => _samples;

    public IReadOnlyList<Step> Steps => _steps;

    public void Add(Sample sample) => _samples.Add(sample);

    public void Begin(string name, DateTimeOffset at) => _steps.Add(new Step(name, at, null));

    public void End(DateTimeOffset at)
    {
        if (_steps.Count > 0 && _steps[^1].End is null)
        {
            _steps[^1] = _steps[^1] with { End = at };
        }
    }

    /// <summary>Transactions per second between consecutive samples.</summary>
    public IReadOnlyList<(DateTimeOffset Time, double Tps)> Throughput() =>
        [.. _samples.Zip(_samples.Skip(1), (a, b) => (b.Time, (b.Ok - a.Ok) / Math.Max(0.001, (b.Time - a.Time).TotalSeconds)))];

    /// <summary>One row per step: how long it took and what the app did meanwhile.</summary>
    public IReadOnlyList<StepSummary> Summarize()
    {
        var rows = new List<StepSummary>();
        foreach (var step in _steps)
        {
            var end = step.End ?? _samples.LastOrDefault()?.Time ?? step.Start;
            var first = _samples.LastOrDefault(s => s.Time <= step.Start) ?? _samples.FirstOrDefault();
            var last = _samples.LastOrDefault(s => s.Time <= end) ?? first;
            var during = _samples.Where(s => s.Time >= step.Start && s.Time <= end).ToList();
            var versions = last?.PodsPerVersion ?? new Dictionary<string, int>();
            rows.Add(new StepSummary(
                step.Name,
                end - step.Start,
                (last?.Ok ?? 0) - (first?.Ok ?? 0),
                (last?.Failed ?? 0) - (first?.Failed ?? 0),
                during.Count > 1 ? (last!.Ok - during[0].Ok) / Math.Max(0.001, (last.Time - during[0].Time).TotalSeconds) : 0,
                string.Join(" ", versions.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}:{v.Value}"))));
        }

        return rows;
    }
}

/// <summary>One observation: cumulative app transactions and failures, and the app pods per pool version.</summary>
internal sealed record Sample(DateTimeOffset Time, long Ok, long Failed, IReadOnlyDictionary<string, int> PodsPerVersion);

internal sealed record Step(string Name, DateTimeOffset Start, DateTimeOffset? End);

internal sealed record StepSummary(string Step, TimeSpan Duration, long Transactions, long Failed, double Tps, string PodsPerVersion);
