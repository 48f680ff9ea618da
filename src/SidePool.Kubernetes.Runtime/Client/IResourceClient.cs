using k8s;
using k8s.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>
/// The verbs on one kind, typed, over KubernetesClient's generic API. Every error answer is a typed
/// <see cref="Errors.KubernetesApiException"/> (NotFound, Conflict, Expired, TooManyRequests, Forbidden, ...).
/// </summary>
public interface IResourceClient<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    ApiResource Resource { get; }

    Task<T> GetAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default);

    /// <summary>The object, or null when it does not exist.</summary>
    Task<T?> TryGetAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default);

    /// <summary>One page; a null or empty namespace lists every namespace.</summary>
    Task<ListPage<T>> ListAsync(string? @namespace = null, ListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Every page, in pages of <see cref="ListOptions.Limit"/> (500 by default).</summary>
    IAsyncEnumerable<T> ListAllAsync(string? @namespace = null, ListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A watch from <see cref="WatchOptions.ResourceVersion"/>. ERROR events (410 Expired among them) are yielded as
    /// events with <see cref="WatchEvent{T}.Status"/>; an HTTP error answer throws.
    /// </summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? @namespace = null, WatchOptions? options = null, CancellationToken cancellationToken = default);

    Task<T> CreateAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default);

    Task<T> ReplaceAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default);

    Task<T> ReplaceStatusAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default);

    Task<T> PatchAsync(string name, string? @namespace, KubernetesPatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default);

    Task<T> PatchStatusAsync(string name, string? @namespace, KubernetesPatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Server-side apply of the object's fields as <paramref name="fieldManager"/>.</summary>
    Task<T> ApplyAsync(T value, string fieldManager, bool force = true, CancellationToken cancellationToken = default);

    Task<T> ApplyStatusAsync(T value, string fieldManager, bool force = true, CancellationToken cancellationToken = default);

    Task DeleteAsync(string name, string? @namespace = null, V1DeleteOptions? options = null, CancellationToken cancellationToken = default);

    Task DeleteCollectionAsync(string? @namespace, ListOptions? selector = null, V1DeleteOptions? options = null, CancellationToken cancellationToken = default);
}
