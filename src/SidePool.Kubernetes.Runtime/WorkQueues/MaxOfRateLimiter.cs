namespace SidePool.Kubernetes.Runtime.WorkQueues;

/// <summary>The longest delay any of the limiters asks for.</summary>
public sealed class MaxOfRateLimiter<T>(params IWorkQueueRateLimiter<T>[] limiters) : IWorkQueueRateLimiter<T>
{
    public TimeSpan When(T item)
    {
        var delay = TimeSpan.Zero;
        foreach (var limiter in limiters)
        {
            var next = limiter.When(item);
            if (next > delay)
            {
                delay = next;
            }
        }

        return delay;
    }

    public void Forget(T item)
    {
        foreach (var limiter in limiters)
        {
            limiter.Forget(item);
        }
    }

    public int Retries(T item) => limiters.Max(l => l.Retries(item));
}
