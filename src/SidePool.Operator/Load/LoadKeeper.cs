using System.Collections.Concurrent;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;

namespace SidePool.Operator.Load;

/// <summary>
/// The measuring step of the pool reconcile (docs/recommendations.md): at most once per <c>interval</c> per pool, asks
/// up to <c>podsPerVersion</c> ready pods of each version for their agent's <c>/load</c> (16 at a time) and adds up
/// the answers per version (<see cref="VersionLoad.Merge"/>). Between two reads the last result is returned, so status
/// keeps showing it. Pods are picked in a rotating order, so over time every pod is heard from.
/// </summary>
public sealed class LoadKeeper(Func<Pod, string, Uri?> endpoint, AgentLoadClient client, TimeProvider time, TimeSpan interval, int podsPerVersion)
{
    private readonly ConcurrentDictionary<string, (PoolLoad Load, long Round)> _pools = new(StringComparer.Ordinal);

    /// <summary>How soon a pool with ready pods is looked at again to measure; null when measuring is off.</summary>
    public TimeSpan? Interval => interval > TimeSpan.Zero ? interval : null;

    /// <summary>What the pool's agents measured (read now when the last read is <c>interval</c> old); null when measuring is off.</summary>
    public async Task<PoolLoad?> MeasureAsync(ConnectionPool pool, IReadOnlyList<Pod> podsInNamespace, IReadOnlyList<ObservedPod> observed, CancellationToken cancellationToken)
    {
        var key = $"{pool.Metadata.NamespaceProperty}/{pool.Metadata.Name}";
        if (Interval is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (_pools.TryGetValue(key, out var last) && now - last.Load.MeasuredAt < interval)
        {
            return last.Load;
        }

        var name = pool.Metadata.Name!;
        var round = last.Round + 1;
        var ready = observed.Where(p => p.Injected && p.Ready && !p.Terminating).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var targets = podsInNamespace
            .Where(p => p.Metadata?.Name is { } n && ready.Contains(n))
            .GroupBy(p => VersionContract.Labels.VersionOf(p.Metadata?.Labels, name))
            .Where(g => g.Key is not null)
            .SelectMany(g => Pick(g.OrderBy(p => p.Metadata!.Name, StringComparer.Ordinal).ToList(), round).Select(p => (Version: g.Key!, Endpoint: endpoint(p, name))))
            .Where(t => t.Endpoint is not null)
            .ToList();

        var reports = new ConcurrentBag<(string Version, LoadReport Report)>();
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (target, ct) =>
        {
            if (await client.GetAsync(target.Endpoint!, ct) is { } report)
            {
                reports.Add((target.Version, report));
            }
        });

        var load = new PoolLoad
        {
            MeasuredAt = now,
            Versions = reports.GroupBy(r => r.Version, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => VersionLoad.Merge(g.Select(r => r.Report).ToList()), StringComparer.Ordinal),
        };
        _pools[key] = (load, round);
        return load;
    }

    /// <summary>Forgets a deleted pool.</summary>
    public void Forget(string namespaceName, string name) => _pools.TryRemove($"{namespaceName}/{name}", out _);

    /// <summary><c>podsPerVersion</c> pods starting at an offset that moves each round.</summary>
    private List<Pod> Pick(List<Pod> pods, long round)
    {
        if (pods.Count <= podsPerVersion)
        {
            return pods;
        }

        var start = (int)(round * podsPerVersion % pods.Count);
        return [.. Enumerable.Range(0, podsPerVersion).Select(i => pods[(start + i) % pods.Count])];
    }
}
