using SidePool.Demo;
using SidePool.Demo.Cluster;

namespace SidePool.E2E;

/// <summary>
/// An app under load, watched: every app pod's load generator log is followed into a <see cref="LoadLedger"/> as
/// soon as its container runs, so every transaction of every pod is accounted for.
/// </summary>
internal sealed class AppLoad : IAsyncDisposable
{
    private readonly ShopApp _app;
    private readonly LogFollower _follower;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;

    private AppLoad(SandboxCluster cluster, ShopApp app)
    {
        _app = app;
        _follower = new LogFollower(cluster, app.Namespace, ShopApp.Container, Ledger);
        _watching = WatchAsync(_stop.Token);
    }

    public LoadLedger Ledger { get; } = new();

    public static AppLoad Start(SandboxCluster cluster, ShopApp app) => new(cluster, app);

    /// <summary>Waits until the app committed <paramref name="more"/> transactions beyond what it has now.</summary>
    public Task ProgressAsync(long more, TimeSpan timeout)
    {
        var target = Ledger.Ok + more;
        return SandboxCluster.WaitAsync(() => Task.FromResult(Ledger.Ok >= target), timeout, $"{more} more committed app transactions (at {Ledger.Ok})");
    }

    /// <summary>The failures, one per line, for assertion messages.</summary>
    public string DescribeFailures() =>
        string.Join('\n', Ledger.Failures.Take(20).Select(f => $"{f.Time:HH:mm:ss.fff} {f.Pod}: {f.Error}"));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        await _follower.DisposeAsync();
        _stop.Dispose();
    }

    private Task WatchAsync(CancellationToken cancellationToken) =>
        Polling.EveryAsync(TimeSpan.FromMilliseconds(500), async () => _follower.FollowRunning(await _app.PodsAsync(includeTerminating: true, cancellationToken)), cancellationToken);
}
