namespace SidePool.Kubernetes.Runtime.Informers;

/// <summary>Counters an informer keeps, for metrics and tests.</summary>
public sealed class InformerStatistics
{
    private long _adds;
    private long _updates;
    private long _deletes;
    private long _lists;
    private long _watches;
    private long _expired;
    private long _errors;
    private long _bookmarks;

    public long Adds => Interlocked.Read(ref _adds);
    public long Updates => Interlocked.Read(ref _updates);
    public long Deletes => Interlocked.Read(ref _deletes);
    /// <summary>Completed lists (the first one plus relists).</summary>
    public long Lists => Interlocked.Read(ref _lists);
    /// <summary>Watch requests started.</summary>
    public long Watches => Interlocked.Read(ref _watches);
    /// <summary>410 Expired/Gone seen (in-stream or HTTP).</summary>
    public long Expired => Interlocked.Read(ref _expired);
    /// <summary>Other failures that caused a back-off.</summary>
    public long Errors => Interlocked.Read(ref _errors);
    public long Bookmarks => Interlocked.Read(ref _bookmarks);

    internal void Add() => Interlocked.Increment(ref _adds);
    internal void Update() => Interlocked.Increment(ref _updates);
    internal void Delete() => Interlocked.Increment(ref _deletes);
    internal void List() => Interlocked.Increment(ref _lists);
    internal void Watch() => Interlocked.Increment(ref _watches);
    internal void Expire() => Interlocked.Increment(ref _expired);
    internal void Error() => Interlocked.Increment(ref _errors);
    internal void Bookmark() => Interlocked.Increment(ref _bookmarks);

    public override string ToString() =>
        $"adds={Adds} updates={Updates} deletes={Deletes} lists={Lists} watches={Watches} expired={Expired} errors={Errors} bookmarks={Bookmarks}";
}
