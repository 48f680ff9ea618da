using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Runtime.Controllers;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Kubernetes.Runtime.WorkQueues;
using SidePool.Operator.Telemetry;

namespace SidePool.Operator.Controller;

/// <summary>
/// The ConnectionPool controller: informers, event mapping, work queue and reconcile workers. <see cref="RunAsync"/>
/// runs one leadership term (fresh caches each time) until cancelled.
/// </summary>
public sealed class PoolController(IKubernetesClient client, ControllerSettings settings, OperatorMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory)
{
    private volatile ClusterView? _view;

    /// <summary>True once the caches of the running term are filled (and false between terms).</summary>
    public bool HasSynced => _view?.HasSynced ?? false;

    /// <summary>Objects per informer cache of the running term (empty between terms).</summary>
    public IReadOnlyDictionary<string, int> CacheSizes => _view?.CacheSizes() ?? new Dictionary<string, int>();

    /// <summary>Statistics of the running term's controller.</summary>
    public ControllerStatistics? Statistics { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
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
            loggerFactory.CreateLogger<PoolReconciler>());
        var controller = new Controller<ObjectKey>(reconciler, queue, new ControllerOptions { Name = "connectionpool", Workers = settings.Workers }, loggerFactory.CreateLogger<PoolController>());
        Statistics = controller.Statistics;
        new PoolEventMapper(view, queue).Register(modes);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informers = view.Run(stop.Token).ToList();
        _view = view;
        try
        {
            await view.WaitForSyncAsync(stop.Token);
            await controller.RunAsync(stop.Token);
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
        }
    }
}
