namespace SidePool.Demo;

/// <summary>
/// Every transaction the app pods report, accounted for: the cumulative counts of each pod (a pod's counts only grow;
/// a pod that stops keeps its last ones) and every failure with its error text.
/// </summary>
internal sealed class LoadLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Ok, long Failed, bool Final)> _pods = new(StringComparer.Ordinal);
    private readonly List<(string Pod, DateTimeOffset Time, string Error)> _failures = [];

    public void Record(string pod, LoadgenEvent e)
    {
        lock (_gate)
        {
            var (ok, failed, final) = _pods.GetValueOrDefault(pod);
            switch (e.Kind)
            {
                case "stats":
                case "final":
                    _pods[pod] = (Math.Max(ok, e.Ok), Math.Max(failed, e.Failed), final || e.Kind == "final");
                    break;
                case "failure":
                    _failures.Add((pod, e.Time, e.SqlState is { Length: > 0 } state ? $"{state} {e.Error}" : e.Error ?? "unknown error"));
                    break;
            }
        }
    }

    public long Ok
    {
        get
        {
            lock (_gate)
            {
                return _pods.Values.Sum(p => p.Ok);
            }
        }
    }

    public long Failed
    {
        get
        {
            lock (_gate)
            {
                return Math.Max(_pods.Values.Sum(p => p.Failed), _failures.Count);
            }
        }
    }

    public IReadOnlyList<(string Pod, DateTimeOffset Time, string Error)> Failures
    {
        get
        {
            lock (_gate)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>Pods that reported, and whether each reported its final counts (it stopped cleanly).</summary>
    public IReadOnlyDictionary<string, bool> Pods
    {
        get
        {
            lock (_gate)
            {
                return _pods.ToDictionary(p => p.Key, p => p.Value.Final, StringComparer.Ordinal);
            }
        }
    }
}
