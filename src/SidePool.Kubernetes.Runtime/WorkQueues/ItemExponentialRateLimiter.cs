namespace SidePool.Kubernetes.Runtime.WorkQueues;

/// <summary>Per item: <c>baseDelay × 2^failures</c>, capped at <c>maxDelay</c> (client-go: 5 ms to 1000 s).</summary>
public sealed class ItemExponentialRateLimiter<T>(TimeSpan baseDelay, TimeSpan maxDelay) : IWorkQueueRateLimiter<T>
    where T : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<T, int> _failures = [];

    public TimeSpan When(T item)
    {
        int failures;
        lock (_gate)
        {
            failures = _failures.GetValueOrDefault(item);
            _failures[item] = failures + 1;
        }

        var milliseconds = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 62));
        return milliseconds >= maxDelay.TotalMilliseconds ? maxDelay : TimeSpan.FromMilliseconds(milliseconds);
    }

    public void Forget(T item)
    {
        lock (_gate)
        {
            _failures.Remove(item);
        }
    }

    public int Retries(T item)
    {
        lock (_gate)
        {
            return _failures.GetValueOrDefault(item);
        }
    }
}
