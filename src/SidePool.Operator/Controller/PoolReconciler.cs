using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Runtime.Controllers;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Operator.Telemetry;

namespace SidePool.Operator.Controller;

/// <summary>
/// Reconciles one ConnectionPool. It reads as a table of contents: read what is (caches) and what should be (the pure
/// builders in SidePool.Reconciliation and SidePool.Injection); publish the version (its Secret, then status); only
/// once the version is published, stamp the workloads that must roll; retire what no pod needs; write status.
/// Every write follows a read-only diff; workloads (which the operator does not own) are only merge-patched.
/// </summary>
public sealed class PoolReconciler(
    IKubernetesClient client,
    ClusterView view,
    PoolControllerOptions settings,
    SidecarModeSource modes,
    EventRecorder events,
    OperatorMetrics metrics,
    TimeProvider time,
    ILogger<PoolReconciler> logger) : IReconciler<ObjectKey>
{
    /// <summary>How soon a pool whose new version was just published is looked at again to stamp its workloads.</summary>
    public static readonly TimeSpan AfterPublish = TimeSpan.FromMilliseconds(200);

    private readonly IResourceClient<ConnectionPool> _pools = client.Resource(ConnectionPoolResource.Type);
    private readonly PoolSecretsWriter _secrets = new(client, view, logger);
    private readonly Workloads _workloads = new(view, client);
    private PoolFinalizer? _finalizer;

    private PoolFinalizer Finalizer => _finalizer ??= new PoolFinalizer(client, view, _workloads, _secrets, events, logger);

    public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = "error";
        try
        {
            var outcome = await ReconcilePoolAsync(key, cancellationToken);
            result = "success";
            return outcome;
        }
        catch (KubernetesConflictException)
        {
            result = "conflict";
            throw;
        }
        finally
        {
            metrics.Reconciled(result, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<ReconcileResult> ReconcilePoolAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var pool = view.Pools.Cache.Get(key);
        if (pool is null)
        {
            // Gone: delete the version Secrets it left to running pods once no pod mounts them.
            metrics.Forget(key.ToString());
            var remaining = await _secrets.SweepOrphansAsync(key.Namespace!, key.Name, view.Pods.Cache.ListByNamespace(key.Namespace!), cancellationToken);
            return remaining > 0 ? ReconcileResult.Requeue(settings.RecheckInterval) : ReconcileResult.Done;
        }

        if (pool.Metadata.DeletionTimestamp is not null)
        {
            await Finalizer.FinalizeAsync(pool, cancellationToken);
            return ReconcileResult.Done;
        }

        await Finalizer.EnsureAsync(pool, cancellationToken);

        // 1. Read, and render what should be.
        var name = pool.Metadata.Name!;
        var ns = pool.Metadata.NamespaceProperty!;
        var now = time.GetUtcNow();
        var mode = modes.Current;
        var (desired, backend, hashKey, problem) = await DesiredAsync(pool, mode, cancellationToken);
        var podsInNamespace = view.Pods.Cache.ListByNamespace(ns);
        var pods = PodObserver.Observe(name, pool.Spec?.Selector, podsInNamespace, rs => view.ReplicaSets.Cache.Get(ns, rs));
        var workloads = pods.Select(p => p.Owner).Where(o => o.IsRestartable).Distinct().Select(o => _workloads.Read(ns, o)).OfType<WorkloadState>().ToList();

        // 2. Publish: the version's Secret first, then (with status, below) the version itself. Older versions follow
        // backend credential and key rotation.
        if (desired is not null)
        {
            await _secrets.PublishAsync(pool, desired, mode, cancellationToken);
        }

        var versionSecrets = _secrets.VersionSecrets(ns, name);
        if (backend is not null && hashKey is not null)
        {
            await _secrets.RefreshOlderVersionsAsync(pool, desired?.ShortVersion, versionSecrets, backend, hashKey, cancellationToken);
        }

        // 3. Roll workloads, only once the version is published (status names it and its Secret is in the cache), so
        // the webhook injects the version the stamp names into the pods the stamp creates.
        var published = desired is not null && pool.Status?.CurrentVersion == desired.ShortVersion &&
            versionSecrets.Any(s => s.Metadata?.Name == VersionContract.Secrets.Version(name, desired.ShortVersion));
        var plan = published
            ? RolloutPlanner.Plan(pool, desired!.ShortVersion, pods, w => workloads.FirstOrDefault(s => s.Ref == w), now, settings.RepairInterval)
            : new RolloutPlan();
        await StampAsync(pool, plan, cancellationToken);

        // 4. Retire what no pod needs.
        if (desired is not null)
        {
            await _secrets.DeleteRetiredAsync(name, desired.ShortVersion, versionSecrets, podsInNamespace, pool.Status?.Versions ?? [], now, settings.RetiredSecretGrace, cancellationToken);
        }

        // 5. Status.
        var status = StatusBuilder.Build(new StatusInputs
        {
            Pool = pool,
            Desired = desired is null ? null : new DesiredVersion(desired.Version, desired.ConfigRevision),
            Problem = problem,
            Pods = pods,
            Workloads = workloads,
            VersionSecrets = [.. versionSecrets.Select(s => new KnownVersion(
                s.Metadata!.Labels![VersionContract.Labels.Version],
                s.Metadata.Annotations?.GetValueOrDefault(VersionContract.Annotations.VersionHash),
                s.Metadata.Annotations?.GetValueOrDefault(VersionContract.Annotations.ConfigRevision),
                s.Metadata.CreationTimestamp))],
            ConflictingPools = PoolConflicts.Find(pool, view.Pools.Cache.ListByNamespace(ns), podsInNamespace),
            NotRestartable = plan.NotRestartable,
            Now = now,
            StallTimeout = settings.StallTimeout,
        });

        metrics.Versions(
            key.ToString(),
            status.Versions!.Count(v => v.State == VersionStates.Current),
            status.Versions!.Count(v => v.State == VersionStates.Draining),
            status.Versions!.Count(v => v.State == VersionStates.Retired));

        if (!StatusComparer.Same(pool.Status, status))
        {
            await _pools.ReplaceStatusAsync(pool with { Status = status }, cancellationToken: cancellationToken);
            foreach (var poolEvent in EventPlanner.Plan(pool.Status, status))
            {
                await events.RecordAsync(pool, poolEvent, cancellationToken);
            }
        }

        if (desired is not null && !published)
        {
            return ReconcileResult.Requeue(AfterPublish);
        }

        // A retired version whose Secret is kept for the grace period is looked at again when the grace ends.
        if (desired is not null && versionSecrets.Any(s => VersionContract.Secrets.ShortVersionOf(name, s.Metadata?.Name) is { } v && v != desired.ShortVersion))
        {
            var graceLeft = status.Versions!.Where(v => v.State == VersionStates.Retired && v.RetiredAt is not null)
                .Select(v => v.RetiredAt!.Value + settings.RetiredSecretGrace - now)
                .Where(left => left > TimeSpan.Zero)
                .DefaultIfEmpty(settings.RetiredSecretGrace)
                .Min();
            if (!status.Versions!.Any(v => v.State == VersionStates.Draining))
            {
                return ReconcileResult.Requeue(graceLeft < settings.RecheckInterval ? graceLeft : settings.RecheckInterval);
            }
        }

        var timeBased = status.Versions!.Any(v => v.State == VersionStates.Draining) || pods.Any(p => p.Injected && !p.Ready && !p.Terminating) ||
            (status.Targets?.Missing ?? 0) > 0;
        return timeBased ? ReconcileResult.Requeue(settings.RecheckInterval) : ReconcileResult.Done;
    }

    /// <summary>The version the pool renders to now, with the backend credentials and key it used, or why there is none.</summary>
    private async Task<(RenderedPool? Desired, PoolCredentials? Backend, PoolKey? Key, (string Reason, string Message)? Problem)> DesiredAsync(ConnectionPool pool, string mode, CancellationToken cancellationToken)
    {
        var errors = ConnectionPoolValidator.Validate(pool);
        if (errors.Count > 0)
        {
            return (null, null, null, ("InvalidSpec", string.Join("; ", errors.Select(e => e.ToString()))));
        }

        var ns = pool.Metadata.NamespaceProperty!;
        try
        {
            var key = await _secrets.EnsureKeyAsync(pool, cancellationToken);
            var clientPassword = await _secrets.EnsureClientPasswordAsync(pool, cancellationToken);
            var referenced = new Dictionary<string, Secret?>(StringComparer.Ordinal);
            foreach (var secretName in CredentialsReader.ReferencedSecrets(pool.Spec))
            {
                var (known, secret) = await view.Referenced.GetAsync(ns, secretName, TimeSpan.FromSeconds(5), cancellationToken);
                if (!known)
                {
                    return (null, null, key, ("SecretNotWatchedYet", $"Secret {secretName} is not watched yet; retrying"));
                }

                referenced[secretName] = secret;
            }

            var credentials = CredentialsReader.Read(pool.Spec!, n => referenced.GetValueOrDefault(n));
            if (credentials.Credentials is not { } backend)
            {
                return (null, null, key, (credentials.Reason!, credentials.Message!));
            }

            try
            {
                var rendered = PoolVersionBuilder.Build(pool.Metadata.Name!, pool.Spec!, backend, new ClientCredentials(backend.Username, clientPassword), key, settings.Injection with { SidecarMode = mode }, mode);
                return (rendered, backend, key, null);
            }
            catch (InvalidManifestException ex)
            {
                return (null, backend, key, ("InvalidConfiguration", ex.Message));
            }
        }
        catch (PoolProblemException ex)
        {
            return (null, null, null, (ex.Reason, ex.Message));
        }
    }

    private async Task StampAsync(ConnectionPool pool, RolloutPlan plan, CancellationToken cancellationToken)
    {
        var ns = pool.Metadata.NamespaceProperty!;
        var rollout = new List<string>();
        foreach (var stamp in plan.Stamps)
        {
            if (!await _workloads.PatchTemplateAnnotationsAsync(ns, stamp.Workload, stamp.Annotations.ToDictionary(a => a.Key, a => (string?)a.Value), cancellationToken))
            {
                continue;
            }

            metrics.Stamped(stamp.Repair);
            rollout.Add(stamp.Workload.ToString());
            logger.LogInformation("Stamped {Workload} in {Namespace} for pool {Pool} ({Reason}).", stamp.Workload, ns, pool.Metadata.Name, stamp.Repair ? "repair" : "rollout");
        }

        if (rollout.Count > 0)
        {
            var repair = plan.Stamps.All(s => s.Repair);
            await events.RecordAsync(
                pool,
                new PoolEvent(
                    "Normal",
                    repair ? "RepairStarted" : "RolloutStarted",
                    repair ? "RestartWorkloads" : "StampWorkloads",
                    $"{(repair ? "restarting workloads whose pods lack the sidecar or run a version other than the one they were created for" : "rolling out the current version")}: {string.Join(", ", rollout.Take(10))}{(rollout.Count > 10 ? $" and {rollout.Count - 10} more" : "")}"),
                cancellationToken);
        }
    }
}
