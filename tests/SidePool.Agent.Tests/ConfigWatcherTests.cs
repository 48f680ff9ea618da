using SidePool.Agent.Configuration;
using SidePool.Testing;
using Xunit;

namespace SidePool.Agent.Tests;

public sealed class ConfigWatcherTests : IDisposable
{
    private readonly TestDirectory _directory = new("watch");
    private readonly PoolMount _mount;

    public ConfigWatcherTests() => _mount = new PoolMount(_directory);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_failing_change_handler_does_not_end_the_watch_loop()
    {
        _mount.Publish(Render(10).Files);
        var initial = ConfigLoader.Load(_mount.Directory);
        var seen = new List<string>();
        var failures = new List<Exception>();
        var applied = new TaskCompletionSource<ConfigSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new ConfigWatcher(_mount.Directory, TimeSpan.FromMilliseconds(200));
        using var stop = new CancellationTokenSource();
        var loop = watcher.RunAsync(
            initial.ContentHash,
            (snapshot, _, _) =>
            {
                lock (seen)
                {
                    seen.Add(snapshot.Config!.Ini.Setting("default_pool_size")!);
                    if (seen.Count == 1)
                    {
                        throw new InvalidOperationException("injected failure in the reload callback");
                    }
                }

                applied.TrySetResult(snapshot);
                return Task.CompletedTask;
            },
            e =>
            {
                lock (failures)
                {
                    failures.Add(e);
                }
            },
            stop.Token);

        _mount.Publish(Render(3).Files);
        await WaitUntilAsync(() => failures.Count == 1);
        _mount.Publish(Render(4).Files);
        var later = await applied.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("4", later.Config!.Ini.Setting("default_pool_size"));
        Assert.Equal(["3", "4"], seen);
        Assert.Equal("injected failure in the reload callback", Assert.Single(failures).Message);
        Assert.True(loop.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_reload_request_hands_over_the_mount_even_when_it_did_not_change()
    {
        _mount.Publish(Render(10).Files);
        var initial = ConfigLoader.Load(_mount.Directory);
        var handed = new TaskCompletionSource<(ConfigSnapshot Snapshot, bool Requested)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new ConfigWatcher(_mount.Directory, TimeSpan.FromHours(1));
        using var stop = new CancellationTokenSource();
        var loop = watcher.RunAsync(initial.ContentHash, (snapshot, requested, _) => Task.FromResult(handed.TrySetResult((snapshot, requested))), _ => { }, stop.Token);

        await Task.Delay(300);
        Assert.False(handed.Task.IsCompleted);
        watcher.RequestReload();
        var (snapshot, requested) = await handed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(requested);
        Assert.Equal(initial.ContentHash, snapshot.ContentHash);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }

    private SidePool.Core.RenderedPool Render(int poolSize) =>
        PoolFiles.Render(_mount.Directory, "/var/run/sidepool", 5432, 6432, TestBackend.Password, poolSize);
}
