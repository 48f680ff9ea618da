using Xunit;

namespace SidePool.Sandbox.Tests;

public sealed class ParentWatchTests
{
    [Fact]
    public async Task It_completes_when_the_parent_changes_and_not_before()
    {
        var parent = 4242;
        using var stop = new CancellationTokenSource();
        var orphaned = ParentWatch.OrphanedAsync(4242, () => parent, TimeSpan.FromMilliseconds(10), stop.Token);
        await Task.Delay(200);
        Assert.False(orphaned.IsCompleted);
        parent = 1; // reparented to init
        await orphaned.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_process_started_by_init_is_not_watched()
    {
        using var stop = new CancellationTokenSource();
        var orphaned = ParentWatch.OrphanedAsync(1, () => 7, TimeSpan.FromMilliseconds(10), stop.Token);
        await Task.Delay(200);
        Assert.False(orphaned.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => orphaned);
    }

    [Fact]
    public void It_reads_this_process_parent()
    {
        Assert.Equal(Environment.ProcessId, int.Parse(File.ReadAllText("/proc/self/stat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
        var parent = ParentWatch.ParentPid();
        Assert.True(parent > 0);
        Assert.Contains($"PPid:\t{parent}", File.ReadAllText("/proc/self/status"), StringComparison.Ordinal);
    }
}
