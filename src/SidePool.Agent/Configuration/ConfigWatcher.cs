namespace SidePool.Agent.Configuration;

/// <summary>
/// Watches the config directory (not the files: Kubernetes swaps the <c>..data</c> symlink) with inotify and,
/// as a fallback, a periodic poll; reports every snapshot whose content hash differs from the last one seen, and
/// every snapshot read because <see cref="RequestReload"/> asked (SIGHUP). The loop does not die: an exception from
/// reading or from the callback is reported to <c>onFailure</c> (log line, counter) and the loop goes on after a
/// backoff (1 s doubling up to 30 s); inotify is set up again when it broke.
/// </summary>
internal sealed class ConfigWatcher : IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly string _directory;
    private readonly TimeSpan _pollInterval;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private FileSystemWatcher? _watcher;
    private volatile bool _watcherBroken;
    private bool _cannotWatchLogged;
    private int _requested;

    public ConfigWatcher(string directory, TimeSpan pollInterval)
    {
        _directory = directory;
        _pollInterval = pollInterval;
    }

    /// <summary>Re-read the mount now and hand the snapshot to the callback even if it did not change (SIGHUP).</summary>
    public void RequestReload()
    {
        Interlocked.Exchange(ref _requested, 1);
        Poke();
    }

    /// <summary>Calls <paramref name="onChange"/> (snapshot, requested by SIGHUP) for each new content hash until cancelled.</summary>
    public async Task RunAsync(string initialHash, Func<ConfigSnapshot, bool, CancellationToken, Task> onChange, Action<Exception> onFailure, CancellationToken cancellationToken)
    {
        var lastHash = initialHash;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                EnsureWatching();
                await _changed.WaitAsync(_pollInterval, cancellationToken);
                await Task.Delay(50, cancellationToken); // let a burst of events settle
                var requested = Interlocked.Exchange(ref _requested, 0) == 1;
                var snapshot = ConfigLoader.Load(_directory);
                if (requested || snapshot.ContentHash != lastHash)
                {
                    lastHash = snapshot.ContentHash; // a change whose handling fails is not retried: SIGHUP or a new change retries
                    await onChange(snapshot, requested, cancellationToken);
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, failures - 1)));
                AgentLog.Error("config", $"config watch loop failed ({e.GetType().Name}: {e.Message}); restarting it in {backoff.TotalSeconds:0} s");
                onFailure(e);
                try
                {
                    await Task.Delay(backoff, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _changed.Dispose();
    }

    private void EnsureWatching()
    {
        if (_watcher is not null && !_watcherBroken)
        {
            return;
        }

        _watcher?.Dispose();
        _watcher = null;
        _watcherBroken = false;
        try
        {
            var watcher = new FileSystemWatcher(_directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => Poke();
            watcher.Created += (_, _) => Poke();
            watcher.Deleted += (_, _) => Poke();
            watcher.Renamed += (_, _) => Poke();
            watcher.Error += (_, e) =>
            {
                _watcherBroken = true; // e.g. the directory went away: set inotify up again on the next round
                Poke();
            };
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
            _cannotWatchLogged = false;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            _watcherBroken = true;
            if (!_cannotWatchLogged)
            {
                _cannotWatchLogged = true;
                AgentLog.Warn("config", $"cannot watch {_directory} ({e.Message}); polling every {_pollInterval.TotalSeconds:0.#} s");
            }
        }
    }

    private void Poke()
    {
        try
        {
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
