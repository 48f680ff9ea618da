namespace SidePool.Kubernetes.Runtime.WorkQueues;

/// <summary>Ready-made limiters.</summary>
public static class RateLimiters
{
    /// <summary>client-go's default controller limiter: max(5 ms × 2^failures up to 1000 s, token bucket 10/s burst 100).</summary>
    public static IWorkQueueRateLimiter<T> DefaultController<T>()
        where T : notnull =>
        new MaxOfRateLimiter<T>(
            new ItemExponentialRateLimiter<T>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new TokenBucketRateLimiter<T>(10, 100));
}
