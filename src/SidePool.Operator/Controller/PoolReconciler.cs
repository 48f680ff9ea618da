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
/// Reconciles one ConnectionPool; it reads as a table of contents, one step per file: what should be
/// (<see cref="DesiredVersionReader"/>), publish the version's Secret (<see cref="PoolSecretsWriter"/>), stamp the
/// workloads that must roll once the version is published (<see cref="RolloutStamper"/>), retire what no pod needs,
/// keep the live connection budget (<see cref="Budget.BudgetKeeper"/>), write status (<see cref="PoolStatusWriter"/>) and decide when to look again (<see cref="NextLook"/>). Every decision
/// is made by the pure core (SidePool.Core); every write follows a read-only diff; workloads (which the operator does
/// not own) are only merge-patched. docs/architecture.md walks it.
/// </summary>
public sealed class PoolReconciler : IReconciler<ObjectKey>
{
    /// <summary>How soon a pool whose new version was just published is looked at again to stamp its workloads.</summary>
    public static readonly TimeSpan AfterPublish = TimeSpan.FromMilliseconds(200);

    private readonly ClusterView _view;
    private readonly PoolControllerOptions _options;
    private readonly SidecarModeSource _modes;
    private readonly OperatorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly PoolSecretsWriter _secrets;
    private readonly Workloads _workloads;
    private readonly DesiredVersionReader _desired;
    private readonly RolloutStamper _stamper;
    private readonly PoolStatusWriter _status;
    private readonly PoolFinalizer _finalizer;
    private readonly Budget.BudgetKeeper _budget;
    private readonly Load.LoadKeeper _load;

    public PoolReconciler(IKubernetesClient client, ClusterView view, PoolControllerOptions options, SidecarModeSource modes, EventRecorder events, OperatorMetrics metrics, TimeProvider time, ILogger<PoolReconciler> logger, Budget.BudgetMemory budgetMemory)
    {
        _view = view;
        _options = options;
        _modes = modes;
        _metrics = metrics;
        _time = time;
        _secrets = new PoolSecretsWriter(client, view, logger);
        _workloads = new Workloads(view);
        _desired = new DesiredVersionReader(view, _secrets, options);
        _stamper = new RolloutStamper(_workloads, events, metrics, logger);
        _status = new PoolStatusWriter(client, events, metrics);
        _finalizer = new PoolFinalizer(client, view, _workloads, _secrets, events, logger);
        var agentPort = options.Injection.AgentPort;
        var agentEndpoint = options.AgentEndpoint ?? ((pod, pool) => Budget.AgentEndpoints.Default(pod, pool, agentPort));
        _budget = new Budget.BudgetKeeper(
            agentEndpoint,
            new Budget.AgentBudgetClient { Timeout = options.AgentBudgetTimeout },
            logger,
            budgetMemory,
            options.BudgetFreshPodMargin,
            options.BudgetReleaseDelay,
            time);
        _load = new Load.LoadKeeper(
            agentEndpoint,
            new Load.AgentLoadClient { Timeout = options.AgentLoadTimeout },
            time,
            options.LoadInterval,
            options.LoadPodsPerVersion);
    }

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
            _metrics.Reconciled(result, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<ReconcileResult> ReconcilePoolAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var pool = _view.Pools.Cache.Get(key);
        if (pool is null)
        {
            // Gone: delete the version Secrets it left to running pods once no pod mounts them.
            _metrics.Forget(key.ToString());
            _load.Forget(key.Namespace!, key.Name);
            var remaining = await _secrets.SweepOrphansAsync(key.Namespace!, key.Name, _view.Pods.Cache.ListByNamespace(key.Namespace!), cancellationToken);
            return remaining > 0 ? ReconcileResult.Requeue(_options.RecheckInterval) : ReconcileResult.Done;
        }

        if (pool.Metadata.DeletionTimestamp is not null)
        {
            await _finalizer.FinalizeAsync(pool, cancellationToken);
            return ReconcileResult.Done;
        }

        await _finalizer.EnsureAsync(pool, cancellationToken);

        // 1. Read what is (caches) and render what should be.
        var name = pool.Metadata.Name!;
        var ns = pool.Metadata.NamespaceProperty!;
        var now = _time.GetUtcNow();
        var mode = _modes.Current;
        var state = await _desired.ReadAsync(pool, mode, cancellationToken);
        var desired = state.Desired;
        var podsInNamespace = _view.Pods.Cache.ListByNamespace(ns);
        var pods = PodObserver.Observe(name, pool.Spec?.Selector, podsInNamespace, rs => _view.ReplicaSets.Cache.Get(ns, rs));
        var workloads = pods.Select(p => p.Owner).Where(o => o.IsRestartable).Distinct().Select(o => _workloads.Read(ns, o)).OfType<WorkloadState>().ToList();

        // 2. Publish: the version's Secret first, then (with status, below) the version itself. Older versions follow
        // backend credential and key rotation.
        if (desired is not null)
        {
            await _secrets.PublishAsync(pool, desired, mode, state.Spec!, cancellationToken);
        }

        var versionSecrets = _secrets.VersionSecrets(ns, name);
        if (state is { Backend: { } backend, Key: { } hashKey })
        {
            await _secrets.RefreshOlderVersionsAsync(pool, desired?.ShortVersion, versionSecrets, backend, hashKey, cancellationToken);
        }

        // 3. Roll workloads, only once the version is published, so the webhook injects the version the stamp names
        // into the pods the stamp creates.
        var published = desired is not null && Publication.IsPublished(pool, desired.ShortVersion, versionSecrets);
        var plan = published
            ? RolloutPlanner.Plan(pool, desired!.ShortVersion, pods, w => workloads.FirstOrDefault(s => s.Ref == w), now, _options.RepairInterval)
            : new RolloutPlan();
        await _stamper.StampAsync(pool, plan, cancellationToken);

        // 4. Retire what no pod needs.
        if (desired is not null)
        {
            await _secrets.DeleteRetiredAsync(name, desired.ShortVersion, versionSecrets, podsInNamespace, pool.Status?.Versions ?? [], now, _options.RetiredSecretGrace, cancellationToken);
        }

        // 5. The live connection budget: shrink before grow, admit new pods once the room is acknowledged (docs/budget.md).
        var (budget, budgetConverged) = await _budget.KeepAsync(pool, podsInNamespace, pods, workloads, versionSecrets, cancellationToken);

        // 6. What the versions' agents measured (sizing advice, ClientsStuck), at most once per --load-interval.
        var load = _load.Measure(pool, podsInNamespace, pods);

        // 7. Status, and when to look again.
        var status = await _status.WriteAsync(
            new StatusInputs
            {
                Pool = pool,
                Desired = desired is null ? null : new DesiredVersion(desired.Version, desired.ConfigRevision),
                Problem = state.Problem,
                Pods = pods,
                Workloads = workloads,
                VersionSecrets = Publication.KnownVersions(versionSecrets),
                ConflictingPools = PoolConflicts.Find(pool, _view.Pools.Cache.ListByNamespace(ns), podsInNamespace),
                NotRestartable = plan.NotRestartable,
                Budget = budget,
                Load = load,
                Now = now,
                StallTimeout = _options.StallTimeout,
            },
            cancellationToken);

        var next = NextLook.After(new NextLookInputs
        {
            DesiredShortVersion = desired?.ShortVersion,
            Published = published,
            VersionSecretShortVersions = [.. versionSecrets.Select(s => VersionContract.Secrets.ShortVersionOf(name, s.Metadata?.Name)).OfType<string>()],
            Status = status,
            Pods = pods,
            Now = now,
            AfterPublish = AfterPublish,
            RetiredSecretGrace = _options.RetiredSecretGrace,
            RecheckInterval = _options.RecheckInterval,
        });
        if (_load.NextLook(ns, name) is { } due && (load is not null || pods.Any(p => p.Injected && p.Ready && !p.Terminating)))
        {
            // publish a read in flight soon, and read again when the measurements are due
            next = next is { } sooner && sooner < due ? sooner : due;
        }

        if (!budgetConverged)
        {
            next = next is { } soon && soon < Budget.BudgetKeeper.Requeue ? soon : Budget.BudgetKeeper.Requeue;
        }

        return next is { } delay ? ReconcileResult.Requeue(delay) : ReconcileResult.Done;
    }
}
