using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Injection;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Models;
using SidePool.Kubernetes.Runtime.Controllers;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Operator.Telemetry;
using SidePool.Reconciliation;
using SidePool.Rendering;

namespace SidePool.Operator.Controller;

/// <summary>
/// Reconciles one ConnectionPool: reads the caches, asks the pure builders in SidePool.Reconciliation what should be,
/// diffs, and only then writes (Secrets it owns by create/replace, workloads it does not own by merge patch, status
/// through <c>/status</c> when it changed).
/// </summary>
public sealed class PoolReconciler(
    IKubernetesClient client,
    ClusterView view,
    ControllerSettings settings,
    SidecarModeSource modes,
    EventRecorder events,
    OperatorMetrics metrics,
    TimeProvider time,
    ILogger<PoolReconciler> logger) : IReconciler<ObjectKey>
{
    private readonly IResourceClient<Secret> _secrets = client.Resource(KubernetesResources.Secrets);
    private readonly IResourceClient<ConnectionPool> _pools = client.Resource(ConnectionPoolResource.Type);

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
        if (pool is null || pool.Metadata.DeletionTimestamp is not null)
        {
            // Deleted: its Secrets go with the garbage collector (ownerReferences); nothing is restarted.
            metrics.Forget(key.ToString());
            return ReconcileResult.Done;
        }

        var name = pool.Metadata.Name!;
        var ns = pool.Metadata.Namespace!;
        var now = time.GetUtcNow();
        DesiredVersion? desired = null;
        (string Reason, string Message)? problem = null;
        var mode = modes.Current;

        var errors = ConnectionPoolValidator.Validate(pool);
        if (errors.Count > 0)
        {
            problem = ("InvalidSpec", string.Join("; ", errors.Select(e => e.ToString())));
        }

        RenderedPool? rendered = null;
        if (problem is null)
        {
            var keySecret = await EnsureKeySecretAsync(pool, cancellationToken);
            var credentials = CredentialsReader.Read(pool.Spec!, n => view.Secrets.Cache.Get(ns, n));
            if (credentials.Credentials is null)
            {
                problem = (credentials.Reason!, credentials.Message!);
            }
            else
            {
                try
                {
                    rendered = PoolRenderer.Render(pool, credentials.Credentials, keySecret, SidecarLayout.For(name, mode, settings.DefaultImage));
                    desired = new DesiredVersion(rendered.Version, rendered.ConfigRevision);
                }
                catch (InvalidManifestException ex)
                {
                    problem = ("InvalidConfiguration", ex.Message);
                }
            }
        }

        if (rendered is not null)
        {
            await EnsureVersionSecretAsync(pool, rendered, mode, cancellationToken);
        }

        var podsInNamespace = view.Pods.Cache.ListByNamespace(ns);
        var pods = PodObserver.Observe(name, pool.Spec?.Selector, podsInNamespace, rs => view.ReplicaSets.Cache.Get(ns, rs));
        var workloads = pods.Select(p => p.Owner).Where(o => o.IsRestartable).Distinct().Select(o => Workload(ns, o)).OfType<WorkloadState>().ToList();

        var plan = new RolloutPlan();
        if (desired is not null)
        {
            plan = RolloutPlanner.Plan(pool, desired.Short, pods, w => workloads.FirstOrDefault(s => s.Ref == w), now, settings.RepairInterval);
            await StampAsync(pool, plan, cancellationToken);
        }

        var versionSecrets = view.Secrets.Cache.ListByLabel(PoolNames.PoolLabel, name)
            .Where(s => s.Metadata?.Namespace == ns && s.Metadata.Labels?.ContainsKey(PoolNames.VersionLabel) == true)
            .ToList();
        if (desired is not null)
        {
            foreach (var retired in RetiredSecrets.ToDelete(name, desired.Short, versionSecrets, podsInNamespace))
            {
                await DeleteSecretAsync(retired, cancellationToken);
                versionSecrets.Remove(retired);
            }
        }

        var status = StatusBuilder.Build(new StatusInputs
        {
            Pool = pool,
            Desired = desired,
            Problem = problem,
            Pods = pods,
            Workloads = workloads,
            VersionSecrets = [.. versionSecrets.Select(s => new KnownVersion(
                s.Metadata!.Labels![PoolNames.VersionLabel],
                s.Metadata.Annotations?.GetValueOrDefault(PoolNames.VersionHashAnnotation),
                s.Metadata.Annotations?.GetValueOrDefault(PoolNames.ConfigRevisionAnnotation),
                s.Metadata.CreationTimestamp))],
            ConflictingPools = Conflicts(pool, podsInNamespace),
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

        var timeBased = status.Versions!.Any(v => v.State == VersionStates.Draining) || pods.Any(p => p.Injected && !p.Ready && !p.Terminating) ||
            (status.Targets?.Missing ?? 0) > 0;
        return timeBased ? ReconcileResult.Requeue(settings.RecheckInterval) : ReconcileResult.Done;
    }

    private async Task<PoolSecrets> EnsureKeySecretAsync(ConnectionPool pool, CancellationToken cancellationToken)
    {
        var name = PoolNames.KeySecret(pool.Metadata.Name!);
        var ns = pool.Metadata.Namespace!;
        if (PoolSecretsBuilder.ReadKey(view.Secrets.Cache.Get(ns, name)) is { } cached)
        {
            return cached;
        }

        // The cache may lag behind a create of ours: ask the server before creating.
        var live = await _secrets.TryGetAsync(name, ns, cancellationToken);
        if (PoolSecretsBuilder.ReadKey(live) is { } existing)
        {
            return existing;
        }

        if (live is not null)
        {
            throw new InvalidOperationException($"Secret {ns}/{name} exists without a usable {PoolNames.HashKeyDataKey}; delete it to have a new key generated");
        }

        try
        {
            var created = await _secrets.CreateAsync(PoolSecretsBuilder.KeySecret(pool, RandomNumberGenerator.GetBytes(32)), cancellationToken: cancellationToken);
            logger.LogInformation("Created key Secret {Namespace}/{Secret} for pool {Pool}.", ns, name, pool.Metadata.Name);
            return PoolSecretsBuilder.ReadKey(created)!;
        }
        catch (KubernetesAlreadyExistsException)
        {
            return PoolSecretsBuilder.ReadKey(await _secrets.GetAsync(name, ns, cancellationToken: cancellationToken))
                ?? throw new InvalidOperationException($"Secret {ns}/{name} has no usable key");
        }
    }

    private async Task EnsureVersionSecretAsync(ConnectionPool pool, RenderedPool rendered, string mode, CancellationToken cancellationToken)
    {
        var desired = PoolSecretsBuilder.VersionSecret(pool, rendered, mode);
        var ns = pool.Metadata.Namespace!;
        var name = desired.Metadata!.Name!;
        var live = view.Secrets.Cache.Get(ns, name);
        switch (PoolSecretsBuilder.Diff(desired, live))
        {
            case SecretAction.None:
                return;
            case SecretAction.Create:
                try
                {
                    await _secrets.CreateAsync(desired, cancellationToken: cancellationToken);
                    logger.LogInformation("Created version Secret {Namespace}/{Secret} (version {Version}).", ns, name, rendered.ShortVersion);
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
                logger.LogInformation("Rewrote version Secret {Namespace}/{Secret} in place (revision {Revision}).", ns, name, rendered.ShortRevision);
                return;
        }
    }

    private async Task StampAsync(ConnectionPool pool, RolloutPlan plan, CancellationToken cancellationToken)
    {
        var ns = pool.Metadata.Namespace!;
        var rollout = new List<string>();
        foreach (var stamp in plan.Stamps)
        {
            var annotations = new JsonObject();
            foreach (var (k, v) in stamp.Annotations)
            {
                annotations[k] = v;
            }

            var patch = KubernetesPatch.Merge(new JsonObject
            {
                ["spec"] = new JsonObject { ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = annotations } } },
            });
            try
            {
                _ = stamp.Workload.Kind switch
                {
                    WorkloadRef.Deployment => (object)await client.Resource(KubernetesResources.Deployments).PatchAsync(stamp.Workload.Name, ns, patch, cancellationToken: cancellationToken),
                    WorkloadRef.StatefulSet => await client.Resource(KubernetesResources.StatefulSets).PatchAsync(stamp.Workload.Name, ns, patch, cancellationToken: cancellationToken),
                    WorkloadRef.DaemonSet => await client.Resource(KubernetesResources.DaemonSets).PatchAsync(stamp.Workload.Name, ns, patch, cancellationToken: cancellationToken),
                    _ => throw new InvalidOperationException($"{stamp.Workload} cannot be stamped"),
                };
            }
            catch (KubernetesNotFoundException)
            {
                continue; // gone meanwhile; its pods go with it
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
                    $"{(repair ? "restarting workloads whose pods lack the sidecar" : "rolling out the current version")}: {string.Join(", ", rollout.Take(10))}{(rollout.Count > 10 ? $" and {rollout.Count - 10} more" : "")}"),
                cancellationToken);
        }
    }

    private async Task DeleteSecretAsync(Secret secret, CancellationToken cancellationToken)
    {
        try
        {
            await _secrets.DeleteAsync(
                secret.Metadata!.Name!,
                secret.Metadata.Namespace,
                new DeleteOptions { Preconditions = new Preconditions { Uid = secret.Metadata.Uid } },
                cancellationToken: cancellationToken);
            logger.LogInformation("Deleted retired version Secret {Namespace}/{Secret}.", secret.Metadata.Namespace, secret.Metadata.Name);
        }
        catch (KubernetesNotFoundException)
        {
        }
    }

    private WorkloadState? Workload(string ns, WorkloadRef reference)
    {
        (IReadOnlyDictionary<string, string>? Annotations, IEnumerable<(string Type, string? Reason, string? Message)> Conditions)? found = reference.Kind switch
        {
            WorkloadRef.Deployment => view.Deployments.Cache.Get(ns, reference.Name) is { } d
                ? (d.Spec?.Template.Metadata?.Annotations, (d.Status?.Conditions ?? []).Where(c => c.Status == "False" || c.Reason is not null).Select(c => (c.Type, c.Reason, c.Message)))
                : null,
            WorkloadRef.StatefulSet => view.StatefulSets.Cache.Get(ns, reference.Name) is { } s
                ? (s.Spec?.Template.Metadata?.Annotations, (s.Status?.Conditions ?? []).Select(c => (c.Type, c.Reason, c.Message)))
                : null,
            WorkloadRef.DaemonSet => view.DaemonSets.Cache.Get(ns, reference.Name) is { } ds
                ? (ds.Spec?.Template.Metadata?.Annotations, (ds.Status?.Conditions ?? []).Select(c => (c.Type, c.Reason, c.Message)))
                : null,
            _ => null,
        };
        if (found is not { } f)
        {
            return null;
        }

        var deadline = f.Conditions.FirstOrDefault(c => c.Type == "Progressing" && c.Reason == "ProgressDeadlineExceeded");
        return new WorkloadState
        {
            Ref = reference,
            TemplateAnnotations = f.Annotations ?? new Dictionary<string, string>(),
            ProgressDeadlineExceeded = deadline.Type is not null,
            ProgressMessage = deadline.Message,
        };
    }

    /// <summary>Two pools on one pod clash when they want the same port or the same env variable name.</summary>
    private static bool Clashes(ConnectionPoolSpec spec, ConnectionPoolSpec? other) =>
        other is not null &&
        (other.Sidecar.Port == spec.Sidecar.Port ||
         (spec.Injection.Env.Url.Length > 0 && spec.Injection.Env.Url == other.Injection.Env.Url) ||
         (spec.Injection.Env.PgVars && other.Injection.Env.PgVars));

    private List<string> Conflicts(ConnectionPool pool, IReadOnlyList<Pod> podsInNamespace)
    {
        var mine = podsInNamespace.Where(p => LabelSelectorMatcher.Matches(pool.Spec?.Selector, p.Metadata?.Labels)).ToList();
        if (mine.Count == 0)
        {
            return [];
        }

        return
        [
            .. view.Pools.Cache.ListByNamespace(pool.Metadata.Namespace!)
                .Where(other => other.Metadata.Name != pool.Metadata.Name && Clashes(pool.Spec!, other.Spec) && mine.Any(p => LabelSelectorMatcher.Matches(other.Spec?.Selector, p.Metadata?.Labels)))
                .Select(other => other.Metadata.Name!)
                .Order(StringComparer.Ordinal),
        ];
    }
}
