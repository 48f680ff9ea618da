using SidePool.Demo.Cluster;
using Xunit;

namespace SidePool.E2E;

/// <summary>
/// The scenarios' background observers (pods per version, status, PostgreSQL) must outlive a look that fails on the
/// way, and end quietly when the scenario cancels them: an observer that died on one slow request failed the budget
/// scenario in CI at its very end, after every step had passed (the API client's request timeout is an
/// OperationCanceledException that is not the scenario's).
/// </summary>
public sealed class PollingTests
{
    [Fact]
    public async Task A_look_that_times_out_is_skipped_and_the_next_one_runs()
    {
        using var stop = new CancellationTokenSource();
        var looks = 0;
        await Polling.EveryAsync(TimeSpan.FromMilliseconds(1), async () =>
        {
            await Task.Yield();
            switch (++looks)
            {
                case 1:
                    throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout", new TimeoutException());
                case 2:
                    throw new TimeoutException("a look took too long");
                case 3:
                    throw new HttpRequestException("connection refused");
                default:
                    await stop.CancelAsync();
                    break;
            }
        }, stop.Token);
        Assert.Equal(4, looks);
    }

    [Fact]
    public async Task Cancelling_ends_it_quietly_wherever_it_lands()
    {
        using var stop = new CancellationTokenSource();
        var looks = 0;
        var polling = Polling.EveryAsync(TimeSpan.FromMilliseconds(1), async () =>
        {
            looks++;
            await Task.Delay(Timeout.Infinite, stop.Token);
        }, stop.Token);
        await Task.Delay(50);
        await stop.CancelAsync();
        await polling; // no exception
        Assert.Equal(1, looks);
    }

    [Fact]
    public async Task A_defect_in_a_look_still_fails_the_scenario()
    {
        using var stop = new CancellationTokenSource();
        await Assert.ThrowsAsync<InvalidOperationException>(() => Polling.EveryAsync(TimeSpan.FromMilliseconds(1), () => throw new InvalidOperationException("a bug"), stop.Token));
    }
}
