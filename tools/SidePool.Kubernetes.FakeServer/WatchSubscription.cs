using System.Threading.Channels;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>A live watch on one resource (optionally one namespace): receives matching events in order.</summary>
internal sealed class WatchSubscription
{
    private readonly Channel<StoredEvent> _events = Channel.CreateUnbounded<StoredEvent>();

    public WatchSubscription(string storageKey, string? @namespace)
    {
        StorageKey = storageKey;
        Namespace = @namespace;
    }

    public string StorageKey { get; }

    public string? Namespace { get; }

    public ChannelReader<StoredEvent> Events => _events.Reader;

    /// <summary>Cancelled when the server drops the watch (fault injection, resource unregistered, shutdown).</summary>
    public CancellationTokenSource Dropped { get; } = new();

    public bool Accepts(StoredEvent e) => e.StorageKey == StorageKey && (Namespace is null || e.Namespace == Namespace);

    public void Publish(StoredEvent e) => _events.Writer.TryWrite(e);

    public void Complete() => _events.Writer.TryComplete();
}
