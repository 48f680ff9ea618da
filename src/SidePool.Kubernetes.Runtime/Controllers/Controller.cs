using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Runtime.WorkQueues;

namespace SidePool.Kubernetes.Runtime.Controllers;

/// <summary>
/// Workers that take keys from <see cref="Queue"/> and reconcile them: Done forgets the key's failures, Requeue adds it
/// back after the delay, an exception retries it rate-limited. 409 Conflicts are retried quietly (debug log), not
/// counted as failures.
/// </summary>
public sealed class Controller<TKey>
    where TKey : notnull
{
    private readonly IReconciler<TKey> _reconciler;
    private readonly ControllerOptions _options;
    private readonly ILogger _logger;

    public Controller(IReconciler<TKey> reconciler, IWorkQueue<TKey>? queue = null, ControllerOptions? options = null, ILogger? logger = null)
    {
        _reconciler = reconciler;
        _options = options ?? new ControllerOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Workers);
        _logger = logger ?? NullLogger.Instance;
        Queue = queue ?? new RateLimitingWorkQueue<TKey>();
    }

    /// <summary>Feed it from informer handlers.</summary>
    public IWorkQueue<TKey> Queue { get; }

    public ControllerStatistics Statistics { get; } = new();

    /// <summary>Runs the workers until cancelled, then shuts the queue down and waits for them.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(Queue.ShutDown);
        var workers = Enumerable.Range(0, _options.Workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (success, key) = await Queue.GetAsync(CancellationToken.None);
            if (!success)
            {
                return;
            }

            try
            {
                Statistics.Reconcile();
                var result = await _reconciler.ReconcileAsync(key, cancellationToken);
                Queue.Forget(key);
                Statistics.Succeed();
                if (result.RequeueAfter is { } delay)
                {
                    Queue.AddAfter(key, delay);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubernetesConflictException ex)
            {
                Statistics.Conflict();
                _logger.LogDebug("{Controller}: {Key} hit a conflict ({Message}); retrying.", _options.Name, key, ex.Message);
                Queue.AddRateLimited(key);
            }
#pragma warning disable CA1031 // Any reconcile failure is retried, never fatal to the worker.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Statistics.Fail();
                _logger.LogError(ex, "{Controller}: reconciling {Key} failed (retry {Retries}).", _options.Name, key, Queue.NumRequeues(key));
                Queue.AddRateLimited(key);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }
}
