using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Runtime.Controllers;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Kubernetes.Runtime.WorkQueues;
using SidePool.Operator.Telemetry;

namespace SidePool.Operator.Controller;

/// <summary>
/// The ConnectionPool controller: informers, event mapping, work queue and reconcile workers. <see cref="RunAsync"/>
/// runs one leadership term (fresh caches each time) until cancelled, or until an informer meets an error retrying will
/// not fix (403 from a missing RBAC rule, 401, 404): then it stops and throws <see cref="ControllerNotSyncingException"/>,
/// so that the replica does not lead while doing nothing.
/// </summary>
public sealed class PoolController(IKubernetesClient client, PoolControllerOptions settings, OperatorMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory)
{
    private volatile ClusterView? _view;

    /// <summary>What the budget step learned from agents: kept for a term that continues this process' previous one.</summary>
    private readonly Budget.BudgetMemory _budgetMemory = new();

    /// <summary>True once the caches of the running term are filled (and false between terms).</summary>
    public bool HasSynced => _view?.HasSynced ?? false;

    /// <summary>Objects per informer cache of the running term (empty between terms).</summary>
    public IReadOnlyDictionary<string, int> CacheSizes => _view?.CacheSizes() ?? new Dictionary<string, int>();

    /// <summary>Statistics of the running term's controller.</summary>
    public ControllerStatistics? Statistics { get; private set; }

    /// <summary>One term that does not continue a previous one (another replica may have led before it).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => RunAsync(continuesPreviousTerm: false, cancellationToken);

    /// <summary>
    /// One term. <paramref name="continuesPreviousTerm"/>: no other replica led since this process' previous term ended
    /// (<see cref="Kubernetes.Runtime.LeaderElection.LeaderElector.ContinuesOwnTerm"/>, or no leader election), so
    /// what the budget step learned from agents is still true and is kept.
    /// </summary>
    public async Task RunAsync(bool continuesPreviousTerm, CancellationToken cancellationToken)
    {
        _budgetMemory.BeginTerm(continuesPreviousTerm, time.GetUtcNow());
        var view = new ClusterView(client, settings, loggerFactory);
        var modes = new SidecarModeSource(settings.SidecarMode, view);
        using var queue = new RateLimitingWorkQueue<ObjectKey>(RateLimiters.DefaultController<ObjectKey>(), time);
        metrics.ObserveQueue(() => queue.Count);
        metrics.ObserveCaches(() => CacheSizes);
        var reconciler = new PoolReconciler(
            client,
            view,
            settings,
            modes,
            new EventRecorder(client, settings.Identity, time, loggerFactory.CreateLogger<EventRecorder>()),
            metrics,
            time,
            loggerFactory.CreateLogger<PoolReconciler>(),
            _budgetMemory);
        var controller = new Controller<ObjectKey>(reconciler, queue, new ControllerOptions { Name = "connectionpool", Workers = settings.Workers }, loggerFactory.CreateLogger<PoolController>());
        Statistics = controller.Statistics;
        new PoolEventMapper(view, queue).Register(modes);

        var notSyncing = new TaskCompletionSource<ControllerNotSyncingException>(TaskCreationOptions.RunContinuationsAsynchronously);
        Watch(view.Pools, notSyncing);
        Watch(view.Secrets, notSyncing);
        Watch(view.Pods, notSyncing);
        Watch(view.ReplicaSets, notSyncing);
        foreach (var kind in view.Workloads)
        {
            kind.OnSyncError((error, probe) => notSyncing.TrySetResult(new ControllerNotSyncingException(error, probe)));
        }

        Watch(view.Nodes, notSyncing);
        view.Referenced.SyncFailed += (error, probe) => notSyncing.TrySetResult(new ControllerNotSyncingException(error, probe));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informers = view.Run(stop.Token).ToList();
        _view = view;
        var work = RunTermAsync(view, controller, stop.Token);
        try
        {
            if (await Task.WhenAny(work, notSyncing.Task) == notSyncing.Task)
            {
                throw notSyncing.Task.Result;
            }

            await work;
        }
        finally
        {
            _view = null;
            await stop.CancelAsync();
            await view.Referenced.DisposeAsync();
            try
            {
                await Task.WhenAll(informers);
            }
            catch (OperationCanceledException)
            {
            }

            try
            {
                await work;
            }
#pragma warning disable CA1031 // Its failure was thrown above, or the not-syncing exception supersedes it.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private static async Task RunTermAsync(ClusterView view, Controller<ObjectKey> controller, CancellationToken cancellationToken)
    {
        await view.WaitForSyncAsync(cancellationToken);

        // The referenced Secrets are watched once the main caches are in (a cluster-wide refusal is then reported as
        // such, not as the refusal of one namespace's Secret).
        view.Referenced.Start(cancellationToken);
        view.Referenced.Sync(view.Pools.Cache.List());
        await controller.RunAsync(cancellationToken);
    }

    /// <summary>The term ends at the first persistent error of <paramref name="informer"/> (its own retries go on until then).</summary>
    private static void Watch<T>(Informer<T>? informer, TaskCompletionSource<ControllerNotSyncingException> notSyncing)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (informer is null)
        {
            return;
        }

        informer.SyncErrorChanged += (_, e) =>
        {
            if (e.Error is { } error)
            {
                notSyncing.TrySetResult(new ControllerNotSyncingException(error, informer.CreateProbe(error.Verb)));
            }
        };
    }
}
