using SidePool.Api;

namespace SidePool.Reconciliation;

/// <summary>Names, labels and annotations the operator gives to the objects of a pool.</summary>
public static class PoolNames
{
    /// <summary>Label on every Secret of a pool: the pool's name.</summary>
    public const string PoolLabel = "sidepool.dev/pool";

    /// <summary>Label on a version Secret: the short version.</summary>
    public const string VersionLabel = "sidepool.dev/version";

    /// <summary>Label on the key Secret (value <c>key</c>) and version Secrets (value <c>version</c>).</summary>
    public const string ComponentLabel = "sidepool.dev/component";

    /// <summary>Annotation on a version Secret: the full version hash.</summary>
    public const string VersionHashAnnotation = "sidepool.dev/version-hash";

    /// <summary>Annotation on a version Secret: the full config revision it holds.</summary>
    public const string ConfigRevisionAnnotation = "sidepool.dev/config-revision";

    /// <summary>Annotation on a version Secret: the sidecar mode of the version (native or classic).</summary>
    public const string SidecarModeAnnotation = "sidepool.dev/sidecar-mode";

    /// <summary>Annotation on a version Secret: the sidecar image of the version.</summary>
    public const string ImageAnnotation = "sidepool.dev/image";

    /// <summary>
    /// Annotation on a version Secret: the pool spec (JSON; references Secrets by name, holds no secret) it was last
    /// written from, so the webhook injects exactly the published version even while a newer spec is being reconciled.
    /// </summary>
    public const string SpecAnnotation = "sidepool.dev/spec";

    /// <summary>Data key of the pool's random hash key in <c>&lt;pool&gt;-key</c>.</summary>
    public const string HashKeyDataKey = "hash-key";

    /// <summary>Data key of the client password in <c>&lt;pool&gt;-client</c>.</summary>
    public const string ClientPasswordDataKey = "password";

    /// <summary>
    /// Label on version Secrets a deleted pool left behind because running pods still mount them (no owner any more);
    /// the operator deletes them once no pod mounts them.
    /// </summary>
    public const string OrphanedLabel = "sidepool.dev/orphaned";

    /// <summary>The pool's finalizer: on deletion its stamps leave the workloads and mounted Secrets stay.</summary>
    public const string Finalizer = "sidepool.dev/cleanup";

    public const string ManagedBy = "app.kubernetes.io/managed-by";

    public const string ManagedByValue = "sidepool-operator";

    public static string KeySecret(string pool) => $"{pool}-key";

    /// <summary>The Secret with the client password apps of the pool log in with (generated; see docs/rotation.md).</summary>
    public static string ClientSecret(string pool) => $"{pool}-client";

    public static string VersionSecret(string pool, string shortVersion) => Injection.SidecarNames.VersionSecret(pool, shortVersion);

    /// <summary>The short version if <paramref name="secretName"/> is a version Secret name of <paramref name="pool"/>.</summary>
    public static string? ShortVersionOf(string pool, string? secretName)
    {
        if (secretName is null || secretName.Length != pool.Length + 11 || !secretName.StartsWith(pool + "-", StringComparison.Ordinal))
        {
            return null;
        }

        var suffix = secretName[(pool.Length + 1)..];
        return suffix.All(char.IsAsciiHexDigitLower) ? suffix : null;
    }

    /// <summary>Short form of a full hash (first 10 hex characters).</summary>
    public static string Short(string hash) => Naming.Short(hash);
}
