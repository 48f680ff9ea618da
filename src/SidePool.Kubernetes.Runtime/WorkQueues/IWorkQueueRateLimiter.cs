namespace SidePool.Kubernetes.Runtime.WorkQueues;

/// <summary>Decides how long an item waits before its next retry.</summary>
public interface IWorkQueueRateLimiter<in T>
{
    /// <summary>The delay for this retry of <paramref name="item"/> (and records the failure).</summary>
    TimeSpan When(T item);

    /// <summary>The item succeeded: forget its failures.</summary>
    void Forget(T item);

    int Retries(T item);
}
