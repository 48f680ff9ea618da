namespace SidePool.Kubernetes.Runtime.WorkQueues;

/// <summary>
/// One bucket for all items: <c>ratePerSecond</c> tokens a second, at most <c>burst</c> saved. Each retry reserves a
/// token and waits until it is due (client-go: 10/s, burst 100).
/// </summary>
public sealed class TokenBucketRateLimiter<T> : IWorkQueueRateLimiter<T>
{
    private readonly Lock _gate = new();
    private readonly double _ratePerSecond;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _last;

    public TokenBucketRateLimiter(double ratePerSecond, int burst, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _ratePerSecond = ratePerSecond;
        _burst = burst;
        _tokens = burst;
        _time = timeProvider ?? TimeProvider.System;
        _last = _time.GetTimestamp();
    }

    public TimeSpan When(T item)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * _ratePerSecond));
            _last = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _ratePerSecond);
        }
    }

    public void Forget(T item)
    {
    }

    public int Retries(T item) => 0;
}
