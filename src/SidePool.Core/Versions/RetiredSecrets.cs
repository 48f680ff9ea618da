using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>Version Secrets that can go (pure): not the current version, and no pod in the namespace mounts them.</summary>
public static class RetiredSecrets
{
    public static IReadOnlyList<Secret> ToDelete(
        string pool,
        string currentVersion,
        IEnumerable<Secret> versionSecrets,
        IEnumerable<Pod> podsInNamespace,
        IEnumerable<PoolVersionStatus> previousVersions,
        DateTimeOffset now,
        TimeSpan grace)
    {
        var mounted = new HashSet<string>(podsInNamespace.SelectMany(PodObserver.MountedSecrets), StringComparer.Ordinal);

        // The last status must have shown the version Retired (no pod) for the grace period: a pod admitted with it an
        // instant ago may not be in the cache yet. A version the status no longer lists retired long ago.
        var known = previousVersions.Where(v => v.Version is not null).ToDictionary(v => v.Version!, StringComparer.Ordinal);
        bool RetiredLongEnough(string version) =>
            !known.TryGetValue(version, out var was) || (was.State == VersionStates.Retired && was.RetiredAt is { } at && now - at >= grace);
        return
        [
            .. versionSecrets.Where(s =>
                s.Metadata?.Name is { } name &&
                VersionContract.Secrets.ShortVersionOf(pool, name) is { } version &&
                version != currentVersion &&
                s.Metadata.DeletionTimestamp is null &&
                !mounted.Contains(name) &&
                RetiredLongEnough(version)),
        ];
    }
}
