using SidePool.Kubernetes.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>
/// The verbs on one kind. For namespaced kinds, single-object calls use the object's or the given namespace, else the
/// client's default; list/watch/deletecollection with a null namespace span all namespaces.
/// Objects SidePool does not own must be changed with <see cref="PatchAsync"/> only: a replace sends the whole model and
/// would drop every field the model does not know.
/// </summary>
public interface IResourceClient<T>
    where T : class, IKubernetesObject
{
    ApiResource Resource { get; }

    Task<T> GetAsync(string name, string? @namespace = null, GetOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="GetAsync"/> but null on 404.</summary>
    Task<T?> TryGetAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default);

    /// <summary>One page; follow <c>Metadata.Continue</c> for the next, or use <see cref="ListAllAsync"/>.</summary>
    Task<KubernetesList<T>> ListAsync(string? @namespace = null, ListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Every item, page after page (<see cref="ListOptions.Limit"/> per page, 500 if unset).</summary>
    IAsyncEnumerable<T> ListAllAsync(string? @namespace = null, ListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// A streaming watch. Ends when the server closes the stream normally. In-stream ERROR events (e.g. 410 Expired) are
    /// yielded as events with <see cref="WatchEvent{T}.Status"/>; an HTTP error answer throws.
    /// </summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? @namespace = null, WatchOptions? options = null, CancellationToken cancellationToken = default);

    Task<T> CreateAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>PUT of the whole object, guarded by its resourceVersion (409 on a race). Only for objects SidePool owns.</summary>
    Task<T> ReplaceAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>PUT to <c>/status</c>.</summary>
    Task<T> ReplaceStatusAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default);

    Task<T> PatchAsync(string name, string? @namespace, KubernetesPatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default);

    Task<T> PatchStatusAsync(string name, string? @namespace, KubernetesPatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Server-side apply of <paramref name="value"/> (only the fields it sets) as <paramref name="fieldManager"/>.</summary>
    Task<T> ApplyAsync(T value, string fieldManager, bool force = true, CancellationToken cancellationToken = default);

    /// <summary>Server-side apply to <c>/status</c>.</summary>
    Task<T> ApplyStatusAsync(T value, string fieldManager, bool force = true, CancellationToken cancellationToken = default);

    /// <summary>Delete (propagation policy, preconditions, dry run in <paramref name="options"/>); a 404 throws <c>KubernetesNotFoundException</c>.</summary>
    Task DeleteAsync(string name, string? @namespace = null, DeleteOptions? options = null, string? subresource = null, CancellationToken cancellationToken = default);

    Task DeleteCollectionAsync(string? @namespace, ListOptions? selector = null, DeleteOptions? options = null, CancellationToken cancellationToken = default);
}
