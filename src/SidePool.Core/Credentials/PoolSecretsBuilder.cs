using System.Text;
using System.Text.Json;
using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// Desired state of the Secrets the operator owns for a pool: the key Secret, the client Secret and one Secret per
/// version. All carry <c>app.kubernetes.io/managed-by: sidepool-operator</c>, which is how the operator watches them.
/// </summary>
public static class PoolSecretsBuilder
{
    public static OwnerReference OwnerOf(ConnectionPool pool) => new()
    {
        ApiVersion = Naming.ApiVersion,
        Kind = Naming.Kind,
        Name = pool.Metadata.Name!,
        Uid = pool.Metadata.Uid ?? "",
        Controller = true,
        BlockOwnerDeletion = true,
    };

    public static Secret KeySecret(ConnectionPool pool, byte[] key) =>
        Owned(pool, VersionContract.Secrets.Key(pool.Metadata.Name!), VersionContract.Labels.KeyComponent, new Dictionary<string, byte[]> { [VersionContract.Secrets.HashKeyDataKey] = key });

    /// <summary>The pool's hash key from its key Secret, or null when the Secret lacks a usable key.</summary>
    public static PoolKey? ReadKey(Secret? keySecret) =>
        keySecret?.Data is { } data && data.TryGetValue(VersionContract.Secrets.HashKeyDataKey, out var key) && key.Length >= 16 ? new PoolKey(key) : null;

    /// <summary>The client Secret: the generated password apps log in to their sidecar with (never the backend's).</summary>
    public static Secret ClientSecret(ConnectionPool pool, string password) =>
        Owned(pool, VersionContract.Secrets.Client(pool.Metadata.Name!), VersionContract.Labels.ClientComponent, new Dictionary<string, byte[]> { [VersionContract.Secrets.ClientPasswordDataKey] = Encoding.UTF8.GetBytes(password) });

    /// <summary>The client password in a client Secret; null when absent, and an error when it is not a usable one.</summary>
    public static (string? Password, string? Problem) ReadClientPassword(Secret? clientSecret)
    {
        if (clientSecret?.Data?.GetValueOrDefault(VersionContract.Secrets.ClientPasswordDataKey) is not { } bytes)
        {
            return (null, null);
        }

        var password = Encoding.UTF8.GetString(bytes);
        return ClientCredentials.IsValidPassword(password)
            ? (password, null)
            : (null, $"Secret {clientSecret.Metadata?.Name} key {VersionContract.Secrets.ClientPasswordDataKey} must match {ClientCredentials.PasswordPattern} (delete the Secret to have a new password generated)");
    }

    /// <summary>A version Secret: the rendered files, the hashes, and what it was built from (<paramref name="spec"/>: the pool's current spec unless told).</summary>
    public static Secret VersionSecret(ConnectionPool pool, RenderedPool rendered, string sidecarMode, ConnectionPoolSpec? spec = null)
    {
        var secret = Owned(
            pool,
            VersionContract.Secrets.Version(pool.Metadata.Name!, rendered.ShortVersion),
            VersionContract.Labels.VersionComponent,
            rendered.Files.ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value), StringComparer.Ordinal));
        secret.Metadata.Labels[VersionContract.Labels.Version] = rendered.ShortVersion;
        secret.Metadata.Annotations = new Dictionary<string, string>
        {
            [VersionContract.Annotations.VersionHash] = rendered.Version,
            [VersionContract.Annotations.ConfigRevision] = rendered.ConfigRevision,
            [VersionContract.Annotations.SidecarMode] = sidecarMode,
            [VersionContract.Annotations.Image] = rendered.Image,
            [VersionContract.Annotations.Spec] = JsonSerializer.Serialize(spec ?? pool.Spec!, ApiJsonContext.Default.ConnectionPoolSpec),
        };
        return secret;
    }

    /// <summary>A Secret of the pool's: its labels (pool, component, managed-by), owned by the pool, of type Opaque.</summary>
    private static Secret Owned(ConnectionPool pool, string name, string component, Dictionary<string, byte[]> data) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            NamespaceProperty = pool.Metadata.NamespaceProperty,
            Labels = new Dictionary<string, string>
            {
                [VersionContract.Labels.Pool] = pool.Metadata.Name!,
                [VersionContract.Labels.Component] = component,
                [VersionContract.Labels.ManagedBy] = VersionContract.Labels.ManagedByValue,
            },
            OwnerReferences = [OwnerOf(pool)],
        },
        Type = "Opaque",
        Data = data,
    };

    /// <summary>The spec a version Secret was last written from (what the webhook injects with), or null.</summary>
    public static ConnectionPoolSpec? SpecOf(Secret versionSecret)
    {
        if (versionSecret.Metadata?.Annotations?.GetValueOrDefault(VersionContract.Annotations.Spec) is not { } json)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, ApiJsonContext.Lenient.ConnectionPoolSpec);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What to do with the version Secret given the live one (read-only diff).</summary>
    public static SecretAction Diff(Secret desired, Secret? live)
    {
        if (live is null)
        {
            return SecretAction.Create;
        }

        var desiredRevision = desired.Metadata!.Annotations![VersionContract.Annotations.ConfigRevision];
        var liveRevision = live.Metadata?.Annotations?.GetValueOrDefault(VersionContract.Annotations.ConfigRevision);
        if (liveRevision != desiredRevision || !SameData(desired.Data!, live.Data) || !SameLabels(desired, live) ||
            desired.Metadata.Annotations.Any(a => live.Metadata?.Annotations?.GetValueOrDefault(a.Key) != a.Value))
        {
            return SecretAction.Rewrite;
        }

        return SecretAction.None;
    }

    /// <summary>The live Secret with the desired labels, annotations and data (keeps its resourceVersion: a race is a 409).</summary>
    public static Secret Rewrite(Secret desired, Secret live)
    {
        var labels = new Dictionary<string, string>(live.Metadata?.Labels ?? new Dictionary<string, string>());
        foreach (var (k, v) in desired.Metadata!.Labels!)
        {
            labels[k] = v;
        }

        var annotations = new Dictionary<string, string>(live.Metadata?.Annotations ?? new Dictionary<string, string>());
        foreach (var (k, v) in desired.Metadata.Annotations!)
        {
            annotations[k] = v;
        }

        return live with
        {
            Metadata = live.Metadata! with { Labels = labels, Annotations = annotations, ManagedFields = null },
            Data = desired.Data,
            StringData = null,
        };
    }

    private static bool SameLabels(Secret desired, Secret live) =>
        desired.Metadata!.Labels!.All(l => live.Metadata?.Labels?.GetValueOrDefault(l.Key) == l.Value);

    private static bool SameData(IDictionary<string, byte[]> desired, IDictionary<string, byte[]>? live) =>
        live is not null && live.Count == desired.Count &&
        desired.All(d => live.TryGetValue(d.Key, out var bytes) && bytes.AsSpan().SequenceEqual(d.Value));
}

public enum SecretAction
{
    None,
    Create,
    Rewrite,
}
