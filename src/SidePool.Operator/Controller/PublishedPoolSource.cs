using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Operator.Webhook;

namespace SidePool.Operator.Controller;

/// <summary>
/// The webhook's pools (every replica): pools and version Secrets from their own informers. A pool's candidate is the
/// version the pod's workload stamp names, when its Secret <c>&lt;pool&gt;-&lt;version&gt;</c> is published (the operator
/// writes it before it stamps), else the version the pool's status names (<c>status.currentVersion</c>), with the
/// spec, files and sidecar mode stored in that Secret. The webhook therefore never renders and never disagrees with
/// the operator; a pool without a published version yet is offered without one (pods are admitted without its
/// sidecar and reported as missing).
/// </summary>
public sealed class PublishedPoolSource : BackgroundService, IPoolSource
{
    private readonly Informer<ConnectionPool> _pools;
    private readonly Informer<Secret> _versions;

    public PublishedPoolSource(IKubernetesClient client, PoolControllerOptions settings, ILoggerFactory loggerFactory)
    {
        _pools = new Informer<ConnectionPool>(client.Resource(ConnectionPoolResource.Type), settings.WatchScope(), loggerFactory.CreateLogger("webhook.informer.connectionpools"));
        _versions = new Informer<Secret>(
            client.Resource(KubernetesResources.Secrets),
            settings.WatchScope() with { LabelSelector = $"{VersionContract.Labels.Component}=version" },
            loggerFactory.CreateLogger("webhook.informer.versionsecrets"));
    }

    public bool HasSynced => _pools.HasSynced && _versions.HasSynced;

    /// <summary>Why the webhook's caches cannot sync (e.g. RBAC refuses a list), for <c>/readyz</c>; null when they can.</summary>
    public string? SyncProblem => (_pools.SyncError ?? _versions.SyncError) is { } error ? $"webhook caches not syncing: {error.Summary}" : null;

    public async ValueTask<IReadOnlyList<PoolCandidate>> GetPoolsAsync(string @namespace, IDictionary<string, string>? podAnnotations, CancellationToken cancellationToken)
    {
        if (!HasSynced)
        {
            await _pools.WaitForSyncAsync(cancellationToken);
            await _versions.WaitForSyncAsync(cancellationToken);
        }

        return [.. _pools.Cache.ListByNamespace(@namespace).Where(p => p.Metadata.DeletionTimestamp is null).Select(p => Candidate(p, podAnnotations))];
    }

    /// <summary>The candidate of one pool from what is published for it.</summary>
    public PoolCandidate Candidate(ConnectionPool pool, IDictionary<string, string>? podAnnotations = null)
    {
        var name = pool.Metadata.Name!;
        var stamped = VersionContract.Annotations.TemplateVersionOf(podAnnotations, name) is { } v ? Published(pool, v) : null;
        if ((stamped ?? (pool.Status?.CurrentVersion is { } current ? Published(pool, current) : null)) is not { } published)
        {
            return new PoolCandidate(pool, null);
        }

        var (secret, rendered) = published;

        var spec = PoolSecretsBuilder.SpecOf(secret) ?? pool.Spec;
        // The selector is not part of a version: pods are matched with the live one.
        return new PoolCandidate(pool with { Spec = spec! with { Selector = pool.Spec?.Selector } }, rendered, PublishedVersion.SidecarMode(secret));
    }

    private (Secret Secret, RenderedPool Rendered)? Published(ConnectionPool pool, string shortVersion) =>
        _versions.Cache.Get(pool.Metadata.NamespaceProperty, VersionContract.Secrets.Version(pool.Metadata.Name!, shortVersion)) is { } secret &&
        secret.Metadata?.DeletionTimestamp is null &&
        PublishedVersion.Rendered(secret) is { } rendered
            ? (secret, rendered)
            : null;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_pools.RunAsync(stoppingToken), _versions.RunAsync(stoppingToken));
}
