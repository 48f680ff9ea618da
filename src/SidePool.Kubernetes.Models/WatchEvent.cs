namespace SidePool.Kubernetes.Models;

/// <summary>The kind of a watch event, as the API server spells it.</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}

/// <summary>
/// One event of a watch stream. For <see cref="WatchEventType.Error"/>, <see cref="Status"/> is set and
/// <see cref="Object"/> is null; for a BOOKMARK, <see cref="Object"/> carries only metadata.resourceVersion.
/// </summary>
public sealed record WatchEvent<T>
    where T : class, IKubernetesObject
{
    public required WatchEventType Type { get; init; }
    public T? Object { get; init; }
    public Status? Status { get; init; }

    /// <summary>
    /// The resourceVersion this event moves the watch to (null for ERROR). Read from the raw frame, so a BOOKMARK whose
    /// object cannot be built as <typeparamref name="T"/> (required members) still carries it.
    /// </summary>
    public string? ResourceVersion { get; init; }
}
