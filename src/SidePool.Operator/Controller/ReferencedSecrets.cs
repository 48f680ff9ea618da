using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Runtime.Informers;

namespace SidePool.Operator.Controller;

/// <summary>
/// The Secrets pools reference (credentials, CA), and only those: one informer per referenced Secret, selected on
/// the server with <c>fieldSelector=metadata.name=&lt;name&gt;</c>, started when a pool starts referencing it and stopped
/// when none does. The operator thus never lists, watches or caches the other Secrets of the cluster (a cluster has
/// thousands: Helm releases, service account tokens, certificates).
/// </summary>
public sealed class ReferencedSecrets(IResourceClient<Secret> client, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, Tracked> _tracked = [];
    private readonly List<IResourceEventHandler<Secret>> _handlers = [];
    private CancellationToken _running = CancellationToken.None;

    /// <summary>Raised when the informer of a referenced Secret meets an error retrying will not fix (e.g. 403).</summary>
    public event Action<InformerSyncError, Func<CancellationToken, Task>>? SyncFailed;

    /// <summary>How many Secrets are tracked now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _tracked.Count;
            }
        }
    }

    /// <summary>How many of the tracked Secrets exist (are cached).</summary>
    public int CachedCount
    {
        get
        {
            lock (_gate)
            {
                return _tracked.Values.Sum(t => t.Informer.Cache.Count);
            }
        }
    }

    public void AddHandler(IResourceEventHandler<Secret> handler)
    {
        lock (_gate)
        {
            _handlers.Add(handler);
        }
    }

    /// <summary>Starts tracking until <paramref name="cancellationToken"/> is cancelled (informers of the term).</summary>
    public void Start(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _running = cancellationToken;
        }
    }

    /// <summary>Tracks exactly the Secrets <paramref name="pools"/> reference.</summary>
    public void Sync(IEnumerable<ConnectionPool> pools)
    {
        var wanted = pools
            .Where(p => p.Metadata.NamespaceProperty is not null)
            .SelectMany(p => CredentialsReader.ReferencedSecrets(p.Spec).Select(name => new ObjectKey(p.Metadata.NamespaceProperty, name)))
            .ToHashSet();
        List<Tracked> stopped = [];
        lock (_gate)
        {
            foreach (var key in _tracked.Keys.Where(k => !wanted.Contains(k)).ToList())
            {
                stopped.Add(_tracked[key]);
                _tracked.Remove(key);
            }

            if (!_running.IsCancellationRequested && _running.CanBeCanceled)
            {
                foreach (var key in wanted.Where(k => !_tracked.ContainsKey(k)))
                {
                    _tracked[key] = Track(key);
                }
            }
        }

        foreach (var tracked in stopped)
        {
            tracked.Stop.Cancel();
            tracked.Stop.Dispose();
        }
    }

    /// <summary>The Secret if it is tracked and exists; waits up to <paramref name="syncTimeout"/> for a newly tracked one's first list.</summary>
    public async Task<(bool Known, Secret? Secret)> GetAsync(string ns, string name, TimeSpan syncTimeout, CancellationToken cancellationToken)
    {
        Tracked? tracked;
        lock (_gate)
        {
            _tracked.TryGetValue(new ObjectKey(ns, name), out tracked);
        }

        if (tracked is null)
        {
            return (false, null);
        }

        if (!tracked.Informer.HasSynced)
        {
            try
            {
                await tracked.Informer.WaitForSyncAsync(cancellationToken).WaitAsync(syncTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                return (false, null);
            }
        }

        return (true, tracked.Informer.Cache.Get(ns, name));
    }

    public async ValueTask DisposeAsync()
    {
        List<Tracked> all;
        lock (_gate)
        {
            all = [.. _tracked.Values];
            _tracked.Clear();
        }

        foreach (var tracked in all)
        {
            await tracked.Stop.CancelAsync();
            try
            {
                await tracked.Run;
            }
            catch (OperationCanceledException)
            {
            }

            tracked.Stop.Dispose();
        }
    }

    private Tracked Track(ObjectKey key)
    {
        var informer = new Informer<Secret>(
            client,
            new InformerOptions { Namespace = key.Namespace, FieldSelector = $"metadata.name={key.Name}" },
            loggerFactory.CreateLogger("informer.secrets.referenced"));
        informer.SyncErrorChanged += (_, e) =>
        {
            if (e.Error is { } error)
            {
                SyncFailed?.Invoke(error, informer.CreateProbe(error.Verb));
            }
        };
        informer.AddHandler(new ResourceEventHandler<Secret>(
            s => Dispatch(h => h.OnAdd(s)),
            (o, n) => Dispatch(h => h.OnUpdate(o, n)),
            s => Dispatch(h => h.OnDelete(s))));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_running);
        return new Tracked(informer, stop, Task.Run(() => informer.RunAsync(stop.Token)));
    }

    private void Dispatch(Action<IResourceEventHandler<Secret>> action)
    {
        IResourceEventHandler<Secret>[] handlers;
        lock (_gate)
        {
            handlers = [.. _handlers];
        }

        foreach (var handler in handlers)
        {
            action(handler);
        }
    }

    private sealed record Tracked(Informer<Secret> Informer, CancellationTokenSource Stop, Task Run);
}
