using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SidePool.Kubernetes.Client;

namespace SidePool.Kubernetes.Runtime.Tests.Support;

/// <summary>
/// An <see cref="IResourceClient{T}"/> whose list and watch answers are scripted in order. Each script step either
/// returns/yields or throws; when the script runs out, list/watch block until cancelled. Records every call's options.
/// </summary>
public sealed class ScriptedResourceClient<T>(ApiResource resource) : IResourceClient<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public ConcurrentQueue<Func<ListPage<T>>> Lists { get; } = new();

    public ConcurrentQueue<Func<IAsyncEnumerable<WatchEvent<T>>>> Watches { get; } = new();

    public ConcurrentQueue<ListOptions> ListCalls { get; } = new();

    public ConcurrentQueue<WatchOptions> WatchCalls { get; } = new();

    public ApiResource Resource { get; } = resource;

    public async Task<ListPage<T>> ListAsync(string? @namespace = null, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        ListCalls.Enqueue(options ?? new ListOptions());
        if (Lists.TryDequeue(out var next))
        {
            return next();
        }

        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException();
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? @namespace = null, WatchOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        WatchCalls.Enqueue(options ?? new WatchOptions());
        if (!Watches.TryDequeue(out var next))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }

        await foreach (var item in next().WithCancellation(cancellationToken))
        {
            yield return item;
        }
    }

    public static async IAsyncEnumerable<WatchEvent<T>> Stream(params WatchEvent<T>[] events)
    {
        foreach (var e in events)
        {
            await Task.Yield();
            yield return e;
        }
    }

    public static async IAsyncEnumerable<WatchEvent<T>> StreamThenThrow(Exception error, params WatchEvent<T>[] events)
    {
        foreach (var e in events)
        {
            await Task.Yield();
            yield return e;
        }

        throw error;
    }

    public Task<T> GetAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<T?> TryGetAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public IAsyncEnumerable<T> ListAllAsync(string? @namespace = null, ListOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<T> CreateAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<T> ReplaceAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<T> ReplaceStatusAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<T> PatchAsync(string name, string? @namespace, KubernetesPatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<T> PatchStatusAsync(string name, string? @namespace, KubernetesPatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<T> ApplyAsync(T value, string fieldManager, bool force = true, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<T> ApplyStatusAsync(T value, string fieldManager, bool force = true, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task DeleteAsync(string name, string? @namespace = null, V1DeleteOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task DeleteCollectionAsync(string? @namespace, ListOptions? selector = null, V1DeleteOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
