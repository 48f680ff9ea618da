namespace SidePool.Agent.Configuration;

/// <summary>
/// Watches the config directory (not the files: Kubernetes swaps the <c>..data</c> symlink) with inotify and,
/// as a fallback, a periodic poll; reports every snapshot whose content hash differs from the last one seen.
/// </summary>
internal sealed class ConfigWatcher : IDisposable
{
    private readonly string _directory;
    private readonly TimeSpan _pollInterval;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private FileSystemWatcher? _watcher;

    public ConfigWatcher(string directory, TimeSpan pollInterval)
    {
        _directory = directory;
        _pollInterval = pollInterval;
    }

    /// <summary>Calls <paramref name="onChange"/> for each new content hash until cancelled.</summary>
    public async Task RunAsync(string initialHash, Func<ConfigSnapshot, CancellationToken, Task> onChange, CancellationToken cancellationToken)
    {
        try
        {
            _watcher = new FileSystemWatcher(_directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => Poke();
            _watcher.Created += (_, _) => Poke();
            _watcher.Deleted += (_, _) => Poke();
            _watcher.Renamed += (_, _) => Poke();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            AgentLog.Warn("config", $"cannot watch {_directory} ({e.Message}); polling every {_pollInterval.TotalSeconds:0.#} s");
        }

        var lastHash = initialHash;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _changed.WaitAsync(_pollInterval, cancellationToken);
                await Task.Delay(50, cancellationToken); // let a burst of events settle
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var snapshot = ConfigLoader.Load(_directory);
            if (snapshot.ContentHash != lastHash)
            {
                lastHash = snapshot.ContentHash;
                await onChange(snapshot, cancellationToken);
            }
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _changed.Dispose();
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
