namespace SidePool.Kubernetes.Runtime.WorkQueues;

/// <summary>client-go's rate-limiting work queue: dirty/processing sets, delayed adds, a pluggable rate limiter.</summary>
public sealed class RateLimitingWorkQueue<T> : IWorkQueue<T>, IDisposable
    where T : notnull
{
    private readonly Lock _gate = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Dictionary<T, long> _waiting = [];
    private readonly SemaphoreSlim _ready = new(0);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly IWorkQueueRateLimiter<T> _rateLimiter;
    private readonly TimeProvider _time;

    public RateLimitingWorkQueue(IWorkQueueRateLimiter<T>? rateLimiter = null, TimeProvider? timeProvider = null)
    {
        _rateLimiter = rateLimiter ?? RateLimiters.DefaultController<T>();
        _time = timeProvider ?? TimeProvider.System;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public bool IsShutDown => _shutdown.IsCancellationRequested;

    public void Add(T item)
    {
        lock (_gate)
        {
            if (_shutdown.IsCancellationRequested || !_dirty.Add(item) || _processing.Contains(item))
            {
                return;
            }

            _queue.Enqueue(item);
        }

        _ready.Release();
    }

    public void AddAfter(T item, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }

        var due = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
        lock (_gate)
        {
            if (_shutdown.IsCancellationRequested || (_waiting.TryGetValue(item, out var pending) && pending <= due))
            {
                return;
            }

            _waiting[item] = due;
        }

        _ = AddWhenDueAsync(item, due, delay);
    }

    public void AddRateLimited(T item) => AddAfter(item, _rateLimiter.When(item));

    public void Forget(T item) => _rateLimiter.Forget(item);

    public int NumRequeues(T item) => _rateLimiter.Retries(item);

    public async Task<(bool Success, T Item)> GetAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        while (true)
        {
            try
            {
                await _ready.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
                return (false, default!);
            }

            lock (_gate)
            {
                if (_queue.TryDequeue(out var item))
                {
                    _processing.Add(item);
                    _dirty.Remove(item);
                    return (true, item);
                }
            }
        }
    }

    public void Done(T item)
    {
        var requeued = false;
        lock (_gate)
        {
            _processing.Remove(item);
            if (_dirty.Contains(item) && !_shutdown.IsCancellationRequested)
            {
                _queue.Enqueue(item);
                requeued = true;
            }
        }

        if (requeued)
        {
            _ready.Release();
        }
    }

    public void ShutDown() => _shutdown.Cancel();

    public void Dispose()
    {
        _shutdown.Cancel();
        _shutdown.Dispose();
        _ready.Dispose();
    }

    private async Task AddWhenDueAsync(T item, long due, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _shutdown.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        lock (_gate)
        {
            if (!_waiting.TryGetValue(item, out var pending) || pending != due)
            {
                return;
            }

            _waiting.Remove(item);
        }

        Add(item);
    }
}
