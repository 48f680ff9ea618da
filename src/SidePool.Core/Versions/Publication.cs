using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// When a version counts as published, and what the version Secrets say. The operator stamps workloads only once the
/// desired version is published (status names it and its Secret is in the cache), so the webhook injects the version
/// the stamp names into the pods the stamp creates.
/// </summary>
public static class Publication
{
    public static bool IsPublished(ConnectionPool pool, string shortVersion, IEnumerable<Secret> versionSecrets) =>
        pool.Status?.CurrentVersion == shortVersion &&
        versionSecrets.Any(s => s.Metadata?.Name == VersionContract.Secrets.Version(pool.Metadata.Name!, shortVersion));

    /// <summary>The versions the pool's version Secrets hold, as the status builder sees them.</summary>
    public static IReadOnlyList<KnownVersion> KnownVersions(IEnumerable<Secret> versionSecrets) =>
    [
        .. versionSecrets.Select(s => new KnownVersion(
            s.Metadata!.Labels![VersionContract.Labels.Version],
            s.Metadata.Annotations?.GetValueOrDefault(VersionContract.Annotations.VersionHash),
            s.Metadata.Annotations?.GetValueOrDefault(VersionContract.Annotations.ConfigRevision),
            s.Metadata.CreationTimestamp)),
    ];
}
