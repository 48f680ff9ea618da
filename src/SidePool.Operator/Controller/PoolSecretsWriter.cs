using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;

namespace SidePool.Operator.Controller;

/// <summary>
/// Writes the Secrets the operator owns for a pool, each after a read-only diff: the key Secret, the client Secret,
/// the version Secrets (the one being published, and older ones still in use, rendered again when the backend
/// credentials or the pool key change), and deletes or orphans version Secrets no pod needs.
/// </summary>
public sealed class PoolSecretsWriter(IKubernetesClient client, ClusterView view, ILogger logger)
{
    private readonly IResourceClient<Secret> _secrets = client.Resource(KubernetesResources.Secrets);

    /// <summary>The pool's key Secret, created with a random key when missing.</summary>
    public async Task<PoolKey> EnsureKeyAsync(ConnectionPool pool, CancellationToken cancellationToken)
    {
        var name = VersionContract.Secrets.Key(pool.Metadata.Name!);
        var secret = await EnsureAsync(pool, name, PoolSecretsBuilder.ReadKey, () => PoolSecretsBuilder.KeySecret(pool, RandomNumberGenerator.GetBytes(32)), cancellationToken);
        return PoolSecretsBuilder.ReadKey(secret) ?? throw new PoolProblemException("KeySecretInvalid", $"Secret {name} has no usable {VersionContract.Secrets.HashKeyDataKey} (at least 16 bytes); delete it to have a new key generated");
    }

    /// <summary>The pool's client password, generated into its client Secret when missing.</summary>
    public async Task<string> EnsureClientPasswordAsync(ConnectionPool pool, CancellationToken cancellationToken)
    {
        var secret = await EnsureAsync(
            pool,
            VersionContract.Secrets.Client(pool.Metadata.Name!),
            s => s?.Data?.ContainsKey(VersionContract.Secrets.ClientPasswordDataKey) == true ? s : null,
            () => PoolSecretsBuilder.ClientSecret(pool, ClientCredentials.GeneratePassword()),
            cancellationToken);
        var (password, problem) = PoolSecretsBuilder.ReadClientPassword(secret);
        return password ?? throw new PoolProblemException("ClientSecretInvalid", problem!);
    }

    /// <summary>Creates the version Secret, or rewrites it in place when its revision, labels or annotations differ.</summary>
    /// <param name="spec">The spec the version was rendered from (stored with it; the webhook injects from it).</param>
    public async Task PublishAsync(ConnectionPool pool, RenderedPool rendered, string mode, ConnectionPoolSpec spec, CancellationToken cancellationToken) =>
        await WriteVersionAsync(PoolSecretsBuilder.VersionSecret(pool, rendered, mode, spec), rendered.ShortRevision, cancellationToken);

    /// <summary>
    /// Renders every other version Secret of the pool again with the backend credentials and key in force (its own
    /// spec, image, mode and client credentials), so that versions still draining follow a backend password rotation.
    /// </summary>
    public async Task RefreshOlderVersionsAsync(ConnectionPool pool, string? currentShort, IReadOnlyList<Secret> versionSecrets, PoolCredentials backend, PoolKey key, CancellationToken cancellationToken)
    {
        foreach (var live in versionSecrets)
        {
            if (live.Metadata?.Labels?.GetValueOrDefault(VersionContract.Labels.Version) is not { } version || version == currentShort ||
                live.Metadata.DeletionTimestamp is not null || PublishedVersion.Inputs(live) is not { } inputs)
            {
                continue;
            }

            RenderedPool rendered;
            try
            {
                rendered = PoolVersionBuilder.Rebuild(inputs.Version, pool.Metadata.Name!, inputs.Spec, inputs.Image, backend, inputs.Client, key, inputs.SidecarMode);
            }
            catch (InvalidManifestException e)
            {
                logger.LogWarning("Version {Version} of pool {Namespace}/{Pool} cannot be rendered again: {Problem}; it keeps its files.", version, pool.Metadata.NamespaceProperty, pool.Metadata.Name, e.Message);
                continue;
            }

            await WriteVersionAsync(PoolSecretsBuilder.VersionSecret(pool, rendered, inputs.SidecarMode, inputs.Spec), rendered.ShortRevision, cancellationToken);
        }
    }

    /// <summary>Deletes version Secrets that are not current and that no pod mounts.</summary>
    public async Task DeleteRetiredAsync(
        string pool,
        string currentShort,
        List<Secret> versionSecrets,
        IReadOnlyList<Pod> podsInNamespace,
        IEnumerable<PoolVersionStatus> previousVersions,
        DateTimeOffset now,
        TimeSpan grace,
        CancellationToken cancellationToken)
    {
        foreach (var retired in RetiredSecrets.ToDelete(pool, currentShort, versionSecrets, podsInNamespace, previousVersions, now, grace))
        {
            await DeleteAsync(retired, cancellationToken);
            versionSecrets.Remove(retired);
        }
    }

    /// <summary>
    /// A pool is being deleted: version Secrets that running pods still mount lose their owner (so the garbage
    /// collector leaves them) and are labelled orphaned; the operator deletes them once no pod mounts them.
    /// </summary>
    public async Task<int> OrphanMountedAsync(ConnectionPool pool, IReadOnlyList<Pod> podsInNamespace, CancellationToken cancellationToken)
    {
        var mounted = podsInNamespace.SelectMany(PodObserver.MountedSecrets).ToHashSet(StringComparer.Ordinal);
        var orphaned = 0;
        foreach (var secret in VersionSecrets(pool.Metadata.NamespaceProperty!, pool.Metadata.Name!).Where(s => mounted.Contains(s.Metadata!.Name!)))
        {
            if (secret.Metadata!.Labels?.ContainsKey(VersionContract.Labels.Orphaned) == true)
            {
                continue;
            }

            var patch = new JsonArray(
                new JsonObject { ["op"] = "test", ["path"] = "/metadata/uid", ["value"] = secret.Metadata.Uid },
                new JsonObject { ["op"] = "remove", ["path"] = "/metadata/ownerReferences" },
                new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels/" + JsonPointerEscape(VersionContract.Labels.Orphaned), ["value"] = "true" });
            try
            {
                await _secrets.PatchAsync(secret.Metadata.Name!, secret.Metadata.NamespaceProperty, KubernetesPatch.Json(patch), cancellationToken: cancellationToken);
                orphaned++;
            }
            catch (KubernetesNotFoundException)
            {
            }
        }

        return orphaned;
    }

    /// <summary>Deletes the orphaned version Secrets of a deleted pool that no pod mounts any more; returns how many remain.</summary>
    public async Task<int> SweepOrphansAsync(string ns, string pool, IReadOnlyList<Pod> podsInNamespace, CancellationToken cancellationToken)
    {
        var mounted = podsInNamespace.SelectMany(PodObserver.MountedSecrets).ToHashSet(StringComparer.Ordinal);
        var remaining = 0;
        foreach (var secret in VersionSecrets(ns, pool).Where(s => s.Metadata!.Labels?.ContainsKey(VersionContract.Labels.Orphaned) == true))
        {
            if (mounted.Contains(secret.Metadata!.Name!))
            {
                remaining++;
            }
            else
            {
                await DeleteAsync(secret, cancellationToken);
            }
        }

        return remaining;
    }

    /// <summary>The pool's version Secrets in the cache.</summary>
    public List<Secret> VersionSecrets(string ns, string pool) =>
        [.. view.Secrets.Cache.ListByLabel(VersionContract.Labels.Pool, pool).Where(s => s.Metadata?.NamespaceProperty == ns && s.Metadata.Labels?.ContainsKey(VersionContract.Labels.Version) == true)];

    private async Task WriteVersionAsync(Secret desired, string revision, CancellationToken cancellationToken)
    {
        var ns = desired.Metadata!.NamespaceProperty!;
        var name = desired.Metadata.Name!;
        var live = view.Secrets.Cache.Get(ns, name);
        switch (PoolSecretsBuilder.Diff(desired, live))
        {
            case SecretAction.None:
                return;
            case SecretAction.Create:
                try
                {
                    await _secrets.CreateAsync(desired, cancellationToken: cancellationToken);
                    logger.LogInformation("Created version Secret {Namespace}/{Secret} (revision {Revision}).", ns, name, revision);
                }
                catch (KubernetesAlreadyExistsException)
                {
                    // Created by an earlier run whose event the cache has not seen yet: compare with the live one.
                    live = await _secrets.GetAsync(name, ns, cancellationToken: cancellationToken);
                    if (PoolSecretsBuilder.Diff(desired, live) == SecretAction.Rewrite)
                    {
                        await _secrets.ReplaceAsync(PoolSecretsBuilder.Rewrite(desired, live), cancellationToken: cancellationToken);
                    }
                }

                return;
            case SecretAction.Rewrite:
                await _secrets.ReplaceAsync(PoolSecretsBuilder.Rewrite(desired, live!), cancellationToken: cancellationToken);
                logger.LogInformation("Rewrote version Secret {Namespace}/{Secret} in place (revision {Revision}).", ns, name, revision);
                return;
        }
    }

    /// <summary>Reads an owned Secret from the cache, else from the server, else creates it.</summary>
    private async Task<Secret?> EnsureAsync(ConnectionPool pool, string name, Func<Secret?, object?> usable, Func<Secret> create, CancellationToken cancellationToken)
    {
        var ns = pool.Metadata.NamespaceProperty!;
        if (view.Secrets.Cache.Get(ns, name) is { } cached && usable(cached) is not null)
        {
            return cached;
        }

        // The cache may lag behind a create of ours: ask the server before creating.
        var live = await _secrets.TryGetAsync(name, ns, cancellationToken);
        if (live is not null)
        {
            return live;
        }

        try
        {
            var created = await _secrets.CreateAsync(create(), cancellationToken: cancellationToken);
            logger.LogInformation("Created Secret {Namespace}/{Secret} for pool {Pool}.", ns, name, pool.Metadata.Name);
            return created;
        }
        catch (KubernetesAlreadyExistsException)
        {
            return await _secrets.GetAsync(name, ns, cancellationToken: cancellationToken);
        }
    }

    private async Task DeleteAsync(Secret secret, CancellationToken cancellationToken)
    {
        try
        {
            await _secrets.DeleteAsync(
                secret.Metadata!.Name!,
                secret.Metadata.NamespaceProperty,
                new DeleteOptions { Preconditions = new Preconditions { Uid = secret.Metadata.Uid } },
                cancellationToken: cancellationToken);
            logger.LogInformation("Deleted version Secret {Namespace}/{Secret}: no pod mounts it.", secret.Metadata.NamespaceProperty, secret.Metadata.Name);
        }
        catch (KubernetesNotFoundException)
        {
        }
    }

    private static string JsonPointerEscape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}

/// <summary>A pool cannot be reconciled as it is: a CamelCase reason and a message that names no secret value.</summary>
public sealed class PoolProblemException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
