using System.Threading.Channels;

namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>A controller work queue: a key is queued at most once and handed to one worker at a time (client-go semantics, without rate limiting).</summary>
internal sealed class WorkQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Add(string key)
    {
        lock (_lock)
        {
            if (_queued.Add(key))
            {
                _channel.Writer.TryWrite(key);
            }
        }
    }

    /// <summary>Queues <paramref name="key"/> after <paramref name="delay"/> (fire and forget; dropped when <paramref name="stopping"/> fires).</summary>
    public void AddAfter(string key, TimeSpan delay, TimeProvider time, CancellationToken stopping)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        _ = Task.Delay(delay, time, stopping).ContinueWith(t => Add(key), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    public async ValueTask<string> TakeAsync(CancellationToken cancellationToken)
    {
        var key = await _channel.Reader.ReadAsync(cancellationToken);
        lock (_lock)
        {
            _queued.Remove(key);
        }

        return key;
    }
}
