using System.Collections.Concurrent;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;

namespace SidePool.Operator.Load;

/// <summary>
/// The measuring step of the pool reconcile (docs/recommendations.md). It never makes a reconcile wait: it returns the
/// pool's last measurements at once and, when they are <c>interval</c> old (or there are none), starts a read in the
/// background: up to <c>podsPerVersion</c> ready pods of each version are asked for their agent's <c>/load</c>
/// (16 at a time; at most 8 pools read at once), and the answers are added up per version
/// (<see cref="VersionLoad.Merge"/>). The reconcile looks again soon (<see cref="NextLook"/>) to publish the result. An
/// agent that does not answer (down, a NetworkPolicy, an older agent) costs its timeout in the background, not in the
/// reconcile. Pods are picked in a rotating order, so over time every pod is heard from.
/// </summary>
public sealed class LoadKeeper(Func<Pod, string, Uri?> endpoint, AgentLoadClient client, TimeProvider time, TimeSpan interval, int podsPerVersion)
{
    private static readonly TimeSpan WhileReading = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, Entry> _pools = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _reads = new(8);

    /// <summary>How often a pool is measured; null when measuring is off.</summary>
    public TimeSpan? Interval => interval > TimeSpan.Zero ? interval : null;

    /// <summary>
    /// The pool's last measurements (null: measuring is off, or the first read has not finished); starts a read in the
    /// background when they are due and the pool has ready pods.
    /// </summary>
    public PoolLoad? Measure(ConnectionPool pool, IReadOnlyList<Pod> podsInNamespace, IReadOnlyList<ObservedPod> observed)
    {
        if (Interval is null)
        {
            return null;
        }

        var key = Key(pool.Metadata.NamespaceProperty!, pool.Metadata.Name!);
        var entry = _pools.GetOrAdd(key, _ => new Entry());
        var now = time.GetUtcNow();
        lock (entry)
        {
            var due = entry.Load is null || now - entry.Load.MeasuredAt >= interval;
            if (due && entry.Reading is null)
            {
                var targets = Targets(pool.Metadata.Name!, podsInNamespace, observed, ++entry.Round);
                if (targets.Count > 0 || entry.Load is not null)
                {
                    entry.Reading = ReadAsync(entry, targets);
                }
            }

            return entry.Load;
        }
    }

    /// <summary>When the reconcile should look again for this pool's measurements; null when measuring is off or nothing is measured.</summary>
    public TimeSpan? NextLook(string namespaceName, string name)
    {
        if (Interval is null || !_pools.TryGetValue(Key(namespaceName, name), out var entry))
        {
            return null;
        }

        lock (entry)
        {
            if (entry.Reading is not null)
            {
                return WhileReading;
            }

            var left = entry.Load is null ? interval : entry.Load.MeasuredAt + interval - time.GetUtcNow();
            return left < WhileReading ? WhileReading : left;
        }
    }

    /// <summary>Forgets a deleted pool.</summary>
    public void Forget(string namespaceName, string name) => _pools.TryRemove(Key(namespaceName, name), out _);

    private static string Key(string namespaceName, string name) => $"{namespaceName}/{name}";

    private async Task ReadAsync(Entry entry, List<(string Version, Uri Endpoint)> targets)
    {
        await Task.Yield(); // the reconcile goes on
        var reports = new ConcurrentBag<(string Version, LoadReport Report)>();
        PoolLoad? load = null;
        await _reads.WaitAsync();
        try
        {
            await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (target, ct) =>
            {
                if (await client.GetAsync(target.Endpoint, ct) is { } report)
                {
                    reports.Add((target.Version, report));
                }
            });
            load = new PoolLoad
            {
                MeasuredAt = time.GetUtcNow(),
                Versions = reports.GroupBy(r => r.Version, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => VersionLoad.Merge(g.Select(r => r.Report).ToList()), StringComparer.Ordinal),
            };
        }
        finally
        {
            _reads.Release();
            lock (entry)
            {
                entry.Load = load ?? entry.Load; // a read that failed keeps the last measurements; the next is due as before
                entry.Reading = null;
            }
        }
    }

    /// <summary>Ready pods' agents to ask, per version: <c>podsPerVersion</c> of them from an offset that moves each round.</summary>
    private List<(string Version, Uri Endpoint)> Targets(string name, IReadOnlyList<Pod> podsInNamespace, IReadOnlyList<ObservedPod> observed, long round)
    {
        var ready = observed.Where(p => p.Injected && p.Ready && !p.Terminating).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        return podsInNamespace
            .Where(p => p.Metadata?.Name is { } n && ready.Contains(n))
            .GroupBy(p => VersionContract.Labels.VersionOf(p.Metadata?.Labels, name))
            .Where(g => g.Key is not null)
            .SelectMany(g => Pick(g.OrderBy(p => p.Metadata!.Name, StringComparer.Ordinal).ToList(), round).Select(p => (Version: g.Key!, Endpoint: endpoint(p, name))))
            .Where(t => t.Endpoint is not null)
            .Select(t => (t.Version, t.Endpoint!))
            .ToList();
    }

    private List<Pod> Pick(List<Pod> pods, long round)
    {
        if (pods.Count <= podsPerVersion)
        {
            return pods;
        }

        var start = (int)(round * podsPerVersion % pods.Count);
        return [.. Enumerable.Range(0, podsPerVersion).Select(i => pods[(start + i) % pods.Count])];
    }

    private sealed class Entry
    {
        public PoolLoad? Load { get; set; }

        public Task? Reading { get; set; }

        public long Round { get; set; }
    }
}
