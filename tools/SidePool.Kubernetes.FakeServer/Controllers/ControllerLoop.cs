using Microsoft.Extensions.Logging;

namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>
/// A level-triggered controller inside the server: store events of the watched resources are mapped to keys
/// (<c>namespace/name</c>) on a work queue, one worker reconciles one key at a time, every key of the primary resource is
/// re-queued each <see cref="ResyncInterval"/>, and a failed reconcile is retried after a short back-off.
/// </summary>
internal abstract partial class ControllerLoop : IAsyncDisposable
{
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly List<Task> _tasks = [];
    private readonly CancellationTokenSource _stop;

    protected ControllerLoop(ControllerContext context)
    {
        Context = context;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(context.Stopping);
    }

    protected ControllerContext Context { get; }

    protected WorkQueue Queue { get; } = new();

    protected CancellationToken Stopping => _stop.Token;

    protected virtual TimeSpan ResyncInterval => TimeSpan.FromSeconds(2);

    /// <summary>The resource whose objects are the queue's keys.</summary>
    protected abstract ResourceDefinition Primary { get; }

    /// <summary>Resources whose events may concern a key (the primary one included).</summary>
    protected abstract IEnumerable<ResourceDefinition> Watched { get; }

    protected abstract string Name { get; }

    public void Start()
    {
        lock (Context.Store.SyncRoot)
        {
            foreach (var definition in Watched)
            {
                _subscriptions.Add(Context.Store.Subscribe(definition.StorageKey, null, null)!);
            }
        }

        foreach (var subscription in _subscriptions)
        {
            _tasks.Add(Task.Run(() => PumpAsync(subscription)));
        }

        _tasks.Add(Task.Run(WorkAsync));
        _tasks.Add(Task.Run(ResyncAsync));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        lock (Context.Store.SyncRoot)
        {
            foreach (var subscription in _subscriptions)
            {
                Context.Store.Unsubscribe(subscription);
            }
        }

        try
        {
            await Task.WhenAll(_tasks);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Keys a store event concerns.</summary>
    protected abstract IEnumerable<string> KeysFor(StoredEvent stored);

    protected abstract Task ReconcileAsync(string @namespace, string name, CancellationToken cancellationToken);

    protected static string Key(string? @namespace, string name) => $"{@namespace}/{name}";

    private async Task PumpAsync(WatchSubscription subscription)
    {
        try
        {
            await foreach (var stored in subscription.Events.ReadAllAsync(Stopping))
            {
                foreach (var key in KeysFor(stored))
                {
                    Queue.Add(key);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ResyncAsync()
    {
        try
        {
            while (!Stopping.IsCancellationRequested)
            {
                foreach (var obj in Context.List(Primary, null))
                {
                    Queue.Add(Key(JsonNodes.MetaString(obj, "namespace"), JsonNodes.MetaString(obj, "name")!));
                }

                await Task.Delay(ResyncInterval, Context.Time, Stopping);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WorkAsync()
    {
        while (!Stopping.IsCancellationRequested)
        {
            string key;
            try
            {
                key = await Queue.TakeAsync(Stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var slash = key.IndexOf('/', StringComparison.Ordinal);
            var ns = slash <= 0 ? null : key[..slash];
            try
            {
                await ReconcileAsync(ns ?? string.Empty, key[(slash + 1)..], Stopping);
            }
            catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
            {
                return;
            }
            catch (ApiException error) when (error.Code is 409 or 404)
            {
                Queue.AddAfter(key, TimeSpan.FromMilliseconds(50), Context.Time, Stopping);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogReconcileFailed(Context.Logger, Name, key, error.Message);
                Queue.AddAfter(key, TimeSpan.FromMilliseconds(500), Context.Time, Stopping);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Controller} failed to sync {Key}: {Error}")]
    private static partial void LogReconcileFailed(ILogger logger, string controller, string key, string error);
}
