
namespace SidePool.Reconciliation;

/// <summary>Version Secrets that can go (pure): not the current version, and no pod in the namespace mounts them.</summary>
public static class RetiredSecrets
{
    public static IReadOnlyList<Secret> ToDelete(string pool, string currentVersion, IEnumerable<Secret> versionSecrets, IEnumerable<Pod> podsInNamespace)
    {
        var mounted = new HashSet<string>(podsInNamespace.SelectMany(PodObserver.MountedSecrets), StringComparer.Ordinal);
        return
        [
            .. versionSecrets.Where(s =>
                s.Metadata?.Name is { } name &&
                PoolNames.ShortVersionOf(pool, name) is { } version &&
                version != currentVersion &&
                s.Metadata.DeletionTimestamp is null &&
                !mounted.Contains(name)),
        ];
    }
}
