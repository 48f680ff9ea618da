using SidePool.Api;

namespace SidePool.Operator.Controller;

/// <summary>Other pools that select some of a pool's pods and clash with it (same port, same URL variable, both PG* sets).</summary>
public static class PoolConflicts
{
    public static IReadOnlyList<string> Find(ConnectionPool pool, IEnumerable<ConnectionPool> poolsInNamespace, IReadOnlyList<Pod> podsInNamespace)
    {
        var mine = podsInNamespace.Where(p => LabelSelectorMatcher.Matches(pool.Spec?.Selector, p.Metadata?.Labels)).ToList();
        if (mine.Count == 0)
        {
            return [];
        }

        return
        [
            .. poolsInNamespace
                .Where(other => other.Metadata.Name != pool.Metadata.Name && Clashes(pool.Spec!, other.Spec) && mine.Any(p => LabelSelectorMatcher.Matches(other.Spec?.Selector, p.Metadata?.Labels)))
                .Select(other => other.Metadata.Name!)
                .Order(StringComparer.Ordinal),
        ];
    }

    private static bool Clashes(ConnectionPoolSpec spec, ConnectionPoolSpec? other) =>
        other is not null &&
        (other.Sidecar.Port == spec.Sidecar.Port ||
         (spec.Injection.Env.Url.Length > 0 && spec.Injection.Env.Url == other.Injection.Env.Url) ||
         (spec.Injection.Env.PgVars && other.Injection.Env.PgVars));
}
