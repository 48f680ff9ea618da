using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;

namespace SidePool.Kubernetes.Runtime.Informers;

/// <summary>
/// Keeps <see cref="Cache"/> equal to the server's objects of one kind, like client-go's reflector: list (paged), then
/// watch from the list's resourceVersion with bookmarks and a random server-side timeout; a normal close re-watches
/// from the last resourceVersion seen (bookmarks included); 410 Expired/Gone relists and emits the add/update/delete
/// differences; other failures back off 0.8 s doubling to 30 s with jitter. A refusal retrying will not fix (403, 401,
/// 404: see <see cref="InformerSyncError"/>) is kept in <see cref="SyncError"/> and raised through
/// <see cref="SyncErrorChanged"/>; it is logged once (not per retry), by the informer when nobody subscribes, else by the
/// subscriber. Retrying goes on, so the informer recovers once the cause is fixed.
/// With <see cref="InformerOptions.Namespaces"/>, one such list/watch loop runs per namespace into the one cache (as
/// controller-runtime's multi-namespace cache does): RBAC then needs list/watch in those namespaces only.
/// </summary>
public sealed class Informer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IResourceClient<T> _client;
    private readonly InformerOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _dispatchGate = new();
    private readonly List<IResourceEventHandler<T>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Scope[] _scopes;
    private int _unsynced;
    private InformerSyncError? _syncError;

    public Informer(IResourceClient<T> client, InformerOptions? options = null, ILogger? logger = null)
    {
        _client = client;
        _options = options ?? new InformerOptions();
        _logger = logger ?? NullLogger.Instance;
        if (_options.MinWatchTimeout > _options.MaxWatchTimeout)
        {
            throw new ArgumentException("MinWatchTimeout must not exceed MaxWatchTimeout.", nameof(options));
        }

        if (_options.Namespaces is { } namespaces && (namespaces.Count == 0 || _options.Namespace is not null || namespaces.Distinct(StringComparer.Ordinal).Count() != namespaces.Count))
        {
            throw new ArgumentException("Namespaces must hold distinct namespaces, at least one, and excludes Namespace.", nameof(options));
        }

        _scopes = _options.Namespaces is { } several ? [.. several.Select(ns => new Scope(ns))] : [new Scope(_options.Namespace)];
        _unsynced = _scopes.Length;
    }

    public InformerCache<T> Cache { get; } = new();

    public InformerStatistics Statistics { get; } = new();

    /// <summary>
    /// The resourceVersion the next watch starts from. With several namespaces null: each namespace's watch has its own
    /// (resourceVersions of different lists are not comparable).
    /// </summary>
    public string? LastResourceVersion => _scopes.Length == 1 ? Volatile.Read(ref _scopes[0].LastResourceVersion) : null;

    /// <summary>True once the first list of every namespace has filled the cache.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>
    /// The persistent error the last list or watch ended with, until one succeeds again; null otherwise. With several
    /// namespaces, the first namespace's (in <see cref="InformerOptions.Namespaces"/> order) that has one.
    /// </summary>
    public InformerSyncError? SyncError => Volatile.Read(ref _syncError);

    /// <summary>
    /// Raised on the informer's loop when <see cref="SyncError"/> appears, changes or clears. With a subscriber, the
    /// informer logs persistent errors at debug level only: the subscriber reports them.
    /// </summary>
    public event EventHandler<InformerSyncErrorChangedEventArgs>? SyncErrorChanged;

    /// <summary>Adds a handler; if the cache already holds objects, the handler first gets an add for each.</summary>
    public void AddHandler(IResourceEventHandler<T> handler)
    {
        lock (_dispatchGate)
        {
            _handlers.Add(handler);
            foreach (var item in Cache.List())
            {
                Invoke(handler, h => h.OnAdd(item));
            }
        }
    }

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Makes one cheap request with <paramref name="verb"/> (<c>list</c>: at most one object; <c>watch</c>: until the
    /// first event or one second) as the informer makes them (namespace, selectors) and throws what the server answers:
    /// for an owner that stopped the informer over a <see cref="SyncError"/> and wants to know when trying again makes
    /// sense.
    /// </summary>
    public Task ProbeAsync(string verb, CancellationToken cancellationToken) => CreateProbe(verb)(cancellationToken);

    /// <summary>
    /// <see cref="ProbeAsync"/> as a function that holds the client and options only, not the informer's cache. With
    /// several namespaces it probes each in turn and throws the first refusal.
    /// </summary>
    public Func<CancellationToken, Task> CreateProbe(string verb)
    {
        var client = _client;
        var options = _options;
        string?[] namespaces = [.. _scopes.Select(s => s.Namespace)];
        return async ct =>
        {
            foreach (var ns in namespaces)
            {
                await (verb == "watch" ? ProbeWatchAsync(client, options, ns, ct) : ProbeListAsync(client, options, ns, ct));
            }
        };
    }

    private static async Task ProbeListAsync(IResourceClient<T> client, InformerOptions options, string? @namespace, CancellationToken cancellationToken) =>
        await client.ListAsync(@namespace, new ListOptions { LabelSelector = options.LabelSelector, FieldSelector = options.FieldSelector, Limit = 1 }, cancellationToken);

    private static async Task ProbeWatchAsync(IResourceClient<T> client, InformerOptions options, string? @namespace, CancellationToken cancellationToken)
    {
        var watch = new WatchOptions { LabelSelector = options.LabelSelector, FieldSelector = options.FieldSelector, TimeoutSeconds = 1 };
        await foreach (var watchEvent in client.WatchAsync(@namespace, watch, cancellationToken))
        {
            if (watchEvent.Type == WatchEventType.Error && watchEvent.Status is { } status)
            {
                throw KubernetesErrorMapper.FromStatus($"WATCH {client.Resource.Plural}", status);
            }

            break;
        }
    }

    /// <summary>Runs until cancelled. Never throws for server or network failures.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        _scopes.Length == 1 ? RunScopeAsync(_scopes[0], cancellationToken) : Task.WhenAll(_scopes.Select(s => RunScopeAsync(s, cancellationToken)));

    private async Task RunScopeAsync(Scope scope, CancellationToken cancellationToken)
    {
        var backoff = new ExponentialBackoff(_options.InitialBackoff, _options.MaxBackoff, _options.BackoffJitter);
        var needList = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            var verb = needList ? "list" : "watch";
            try
            {
                if (needList)
                {
                    await ListAndReplaceAsync(scope, cancellationToken);
                    needList = false;
                    backoff.Reset();
                }

                verb = "watch";
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var events = await WatchOnceAsync(scope, backoff, cancellationToken);
                ClearSyncError(scope);
                if (events == 0 && System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
                {
                    // A watch that closes at once with nothing: don't spin.
                    await Task.Delay(backoff.Next(), cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (KubernetesExpiredException ex)
            {
                Statistics.Expire();
                _logger.LogInformation("{Kind} informer: resourceVersion {ResourceVersion} expired ({Message}); relisting.", _client.Resource.Kind, scope.LastResourceVersion, ex.Message);
                needList = true;
            }
            catch (Exception ex) when (ex is KubernetesApiException or HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                Statistics.Error();
                var delay = backoff.Next();
                if (ex is KubernetesApiException apiError && InformerSyncError.IsPersistent(apiError))
                {
                    ReportSyncError(scope, new InformerSyncError(verb, _client.Resource, scope.Namespace, apiError, DateTimeOffset.UtcNow), delay);
                }
                else
                {
                    _logger.LogWarning("{Kind} informer: {Message}; retrying in {Delay} ms.", _client.Resource.Kind, ex.Message, (int)delay.TotalMilliseconds);
                }

                try
                {
                    await Task.Delay(delay, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Keeps a persistent error, says it once per problem (not per retry) and tells the subscribers.</summary>
    private void ReportSyncError(Scope scope, InformerSyncError error, TimeSpan delay)
    {
        if (error.IsSameProblemAs(scope.SyncError))
        {
            _logger.LogDebug("{Kind} informer: still {Summary}; retrying in {Delay} ms.", _client.Resource.Kind, error.Summary, (int)delay.TotalMilliseconds);
            return;
        }

        scope.SyncError = error;
        PublishSyncError();
        var subscribers = SyncErrorChanged;
        if (subscribers is null)
        {
            _logger.LogWarning(
                "{Kind} informer: {Summary}; retrying every {MaxBackoff} s at most, logged again only when this changes ({Message}).",
                _client.Resource.Kind,
                error.Summary,
                (int)_options.MaxBackoff.TotalSeconds,
                error.Error.Message);
        }
        else
        {
            _logger.LogDebug("{Kind} informer: {Summary} ({Message}); reported to the subscribers.", _client.Resource.Kind, error.Summary, error.Error.Message);
        }

        Raise(subscribers, SyncError);
    }

    private void ClearSyncError(Scope scope)
    {
        if (Interlocked.Exchange(ref scope.SyncError, null) is not { } previous)
        {
            return;
        }

        PublishSyncError();
        var subscribers = SyncErrorChanged;
        _logger.Log(subscribers is null ? LogLevel.Information : LogLevel.Debug, "{Kind} informer: syncing again (was: {Summary}).", _client.Resource.Kind, previous.Summary);
        Raise(subscribers, SyncError);
    }

    private void PublishSyncError() =>
        Volatile.Write(ref _syncError, _scopes.Select(s => Volatile.Read(ref s.SyncError)).FirstOrDefault(e => e is not null));

    private void Raise(EventHandler<InformerSyncErrorChangedEventArgs>? subscribers, InformerSyncError? error)
    {
        try
        {
            subscribers?.Invoke(this, new InformerSyncErrorChangedEventArgs(error));
        }
#pragma warning disable CA1031 // A faulty subscriber must not stop the informer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "{Kind} informer: a SyncErrorChanged subscriber threw.", _client.Resource.Kind);
        }
    }

    private async Task ListAndReplaceAsync(Scope scope, CancellationToken cancellationToken)
    {
        List<T> items;
        string? resourceVersion;
        try
        {
            (items, resourceVersion) = await ListAllPagesAsync(scope, _options.PageSize, cancellationToken);
        }
        catch (KubernetesExpiredException)
        {
            // The continue token expired between pages: one consistent unpaged list instead.
            (items, resourceVersion) = await ListAllPagesAsync(scope, null, cancellationToken);
        }

        lock (_dispatchGate)
        {
            var seen = new HashSet<ObjectKey>();
            foreach (var item in items)
            {
                seen.Add(ObjectKey.Of(item));
                var old = Cache.Upsert(item);
                if (old is null)
                {
                    Statistics.Add();
                    Dispatch(h => h.OnAdd(item));
                }
                else if (old.Metadata?.ResourceVersion != item.Metadata?.ResourceVersion)
                {
                    Statistics.Update();
                    Dispatch(h => h.OnUpdate(old, item));
                }
            }

            foreach (var key in Cache.Keys())
            {
                if (scope.Holds(key) && !seen.Contains(key) && Cache.Remove(key) is { } gone)
                {
                    Statistics.Delete();
                    Dispatch(h => h.OnDelete(gone));
                }
            }

            Volatile.Write(ref scope.LastResourceVersion, resourceVersion);
        }

        Statistics.List();
        ClearSyncError(scope); // before HasSynced turns true, so that nobody sees both
        if (!scope.Listed)
        {
            scope.Listed = true;
            if (Interlocked.Decrement(ref _unsynced) == 0)
            {
                _synced.TrySetResult();
            }
        }
    }

    private async Task<(List<T> Items, string? ResourceVersion)> ListAllPagesAsync(Scope scope, int? pageSize, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? resourceVersion = null;
        string? continueToken = null;
        do
        {
            var page = await _client.ListAsync(scope.Namespace, new ListOptions
            {
                LabelSelector = _options.LabelSelector,
                FieldSelector = _options.FieldSelector,
                Limit = pageSize,
                Continue = continueToken,
            }, cancellationToken);
            resourceVersion ??= page.Metadata.ResourceVersion;
            items.AddRange(page.Items);
            continueToken = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(continueToken));
        return (items, resourceVersion);
    }

    /// <summary>One watch until the server closes it; returns how many events arrived.</summary>
    private async Task<int> WatchOnceAsync(Scope scope, ExponentialBackoff backoff, CancellationToken cancellationToken)
    {
        var min = _options.MinWatchTimeout.TotalSeconds;
        var max = _options.MaxWatchTimeout.TotalSeconds;
        var timeoutSeconds = (int)(min + (Random.Shared.NextDouble() * (max - min)));
        var options = new WatchOptions
        {
            ResourceVersion = Volatile.Read(ref scope.LastResourceVersion),
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            AllowWatchBookmarks = true,
            TimeoutSeconds = timeoutSeconds,
        };
        Statistics.Watch();
        var count = 0;
        await foreach (var watchEvent in _client.WatchAsync(scope.Namespace, options, cancellationToken))
        {
            count++;
            Apply(scope, watchEvent);
            backoff.Reset();
            if (count == 1)
            {
                ClearSyncError(scope);
            }
        }

        return count;
    }

    private void Apply(Scope scope, WatchEvent<T> watchEvent)
    {
        if (watchEvent.Type == WatchEventType.Error)
        {
            var status = watchEvent.Status ?? new V1Status { Code = 500, Message = "watch ERROR event without a Status" };
            throw KubernetesErrorMapper.FromStatus($"WATCH {_client.Resource.Plural}", status);
        }

        lock (_dispatchGate)
        {
            switch (watchEvent.Type)
            {
                case WatchEventType.Added:
                case WatchEventType.Modified:
                    {
                        var value = watchEvent.Object!;
                        var old = Cache.Upsert(value);
                        if (old is null)
                        {
                            Statistics.Add();
                            Dispatch(h => h.OnAdd(value));
                        }
                        else
                        {
                            Statistics.Update();
                            Dispatch(h => h.OnUpdate(old, value));
                        }

                        break;
                    }

                case WatchEventType.Deleted:
                    {
                        var value = watchEvent.Object!;
                        if (Cache.Remove(ObjectKey.Of(value)) is not null)
                        {
                            Statistics.Delete();
                            Dispatch(h => h.OnDelete(value));
                        }

                        break;
                    }

                case WatchEventType.Bookmark:
                    Statistics.Bookmark();
                    break;
            }

            if (!string.IsNullOrEmpty(watchEvent.ResourceVersion))
            {
                Volatile.Write(ref scope.LastResourceVersion, watchEvent.ResourceVersion);
            }
        }
    }

    private void Dispatch(Action<IResourceEventHandler<T>> action)
    {
        foreach (var handler in _handlers)
        {
            Invoke(handler, action);
        }
    }

    private void Invoke(IResourceEventHandler<T> handler, Action<IResourceEventHandler<T>> action)
    {
        try
        {
            action(handler);
        }
#pragma warning disable CA1031 // A faulty handler must not stop the informer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "{Kind} informer: an event handler threw.", _client.Resource.Kind);
        }
    }

    /// <summary>One list/watch loop's state: its namespace (null = all), where its watch resumes, its persistent error.</summary>
    private sealed class Scope(string? @namespace)
    {
#pragma warning disable SA1401 // Fields: read and written with Volatile/Interlocked.
        public string? LastResourceVersion;
        public InformerSyncError? SyncError;
#pragma warning restore SA1401

        public string? Namespace { get; } = @namespace;

        public bool Listed { get; set; }

        public bool Holds(ObjectKey key) => Namespace is null || string.Equals(key.Namespace, Namespace, StringComparison.Ordinal);
    }
}
