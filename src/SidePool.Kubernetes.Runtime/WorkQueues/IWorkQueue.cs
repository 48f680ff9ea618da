namespace SidePool.Kubernetes.Runtime.WorkQueues;

/// <summary>
/// A queue of keys to reconcile: a key is pending at most once and never handed to two workers at once (a key added
/// while it is being processed is handed out again after <see cref="Done"/>).
/// </summary>
public interface IWorkQueue<T>
    where T : notnull
{
    /// <summary>Keys ready to be handed out.</summary>
    int Count { get; }

    bool IsShutDown { get; }

    void Add(T item);

    /// <summary>Adds once <paramref name="delay"/> has passed (an earlier pending delayed add of the same key wins).</summary>
    void AddAfter(T item, TimeSpan delay);

    /// <summary>Adds after the rate limiter's delay for this key (a retry).</summary>
    void AddRateLimited(T item);

    /// <summary>Clears the key's retry history.</summary>
    void Forget(T item);

    int NumRequeues(T item);

    /// <summary>Waits for a key; Success is false once the queue is shut down.</summary>
    Task<(bool Success, T Item)> GetAsync(CancellationToken cancellationToken);

    /// <summary>Must follow every successful <see cref="GetAsync"/>.</summary>
    void Done(T item);

    void ShutDown();
}
