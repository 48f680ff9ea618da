using System.Collections.Concurrent;
using SidePool.Kubernetes.Runtime.Tests.Support;
using SidePool.Kubernetes.Runtime.WorkQueues;
using Xunit;

namespace SidePool.Kubernetes.Runtime.Tests;

public sealed class WorkQueueTests
{
    [Fact]
    public async Task A_key_is_pending_at_most_once()
    {
        using var queue = new RateLimitingWorkQueue<string>();
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        Assert.Equal(2, queue.Count);
        var (_, first) = await queue.GetAsync(CancellationToken.None);
        var (_, second) = await queue.GetAsync(CancellationToken.None);
        Assert.Equal(["a", "b"], new[] { first, second });
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_key_added_while_processing_waits_for_done_then_comes_back_once()
    {
        using var queue = new RateLimitingWorkQueue<string>();
        queue.Add("a");
        var (_, item) = await queue.GetAsync(CancellationToken.None);
        queue.Add("a");
        queue.Add("a");
        Assert.Equal(0, queue.Count);
        using var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.GetAsync(shortWait.Token));
        queue.Done(item);
        Assert.Equal(1, queue.Count);
        var (ok, again) = await queue.GetAsync(CancellationToken.None);
        Assert.True(ok);
        Assert.Equal("a", again);
    }

    [Fact]
    public async Task Workers_never_process_one_key_concurrently_and_every_add_is_seen()
    {
        using var queue = new RateLimitingWorkQueue<int>();
        var active = new ConcurrentDictionary<int, int>();
        var overlaps = 0;
        var lastAddSeen = new ConcurrentDictionary<int, long>();
        var lastAdd = new ConcurrentDictionary<int, long>();
        long stamp = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var (ok, key) = await queue.GetAsync(CancellationToken.None);
                if (!ok)
                {
                    return;
                }

                var seen = Interlocked.Read(ref stamp);
                if (active.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                lastAddSeen.AddOrUpdate(key, seen, (_, old) => Math.Max(old, seen));
                await Task.Delay(Random.Shared.Next(0, 2));
                active.AddOrUpdate(key, 0, (_, n) => n - 1);
                queue.Done(key);
            }
        })).ToArray();

        for (var i = 0; i < 5000; i++)
        {
            var key = Random.Shared.Next(0, 40);
            lastAdd[key] = Interlocked.Increment(ref stamp);
            queue.Add(key);
            if (i % 100 == 0)
            {
                await Task.Yield();
            }
        }

        Assert.True(await Eventually.HoldsAsync(() => lastAdd.All(p => lastAddSeen.TryGetValue(p.Key, out var s) && s >= p.Value), TimeSpan.FromSeconds(20)));
        queue.ShutDown();
        await Task.WhenAll(workers);
        Assert.Equal(0, overlaps);
    }

    [Fact]
    public async Task Delayed_adds_arrive_after_their_delay_and_the_earliest_wins()
    {
        using var queue = new RateLimitingWorkQueue<string>();
        var started = DateTime.UtcNow;
        queue.AddAfter("a", TimeSpan.FromMilliseconds(300));
        queue.AddAfter("a", TimeSpan.FromSeconds(30));
        Assert.Equal(0, queue.Count);
        var (ok, item) = await queue.GetAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        Assert.True(ok);
        Assert.Equal("a", item);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Shut_down_releases_waiting_workers()
    {
        using var queue = new RateLimitingWorkQueue<string>();
        var waiting = queue.GetAsync(CancellationToken.None);
        queue.ShutDown();
        var (ok, _) = await waiting;
        Assert.False(ok);
        queue.Add("late");
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Per_item_backoff_doubles_from_5_ms_to_1000_s_and_forget_resets()
    {
        var limiter = new ItemExponentialRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        Assert.Equal([5, 10, 20, 40, 80], Enumerable.Range(0, 5).Select(_ => limiter.When("a").TotalMilliseconds).ToArray());
        Assert.Equal(5, limiter.When("b").TotalMilliseconds);
        Assert.Equal(5, limiter.Retries("a"));
        for (var i = 0; i < 30; i++)
        {
            limiter.When("a");
        }

        Assert.Equal(TimeSpan.FromSeconds(1000), limiter.When("a"));
        limiter.Forget("a");
        Assert.Equal(0, limiter.Retries("a"));
        Assert.Equal(5, limiter.When("a").TotalMilliseconds);
    }

    [Fact]
    public void Token_bucket_allows_a_burst_of_100_then_10_per_second()
    {
        var time = new ManualTimeProvider();
        var bucket = new TokenBucketRateLimiter<string>(10, 100, time);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.Zero, bucket.When($"k{i}"));
        }

        Assert.Equal(0.1, bucket.When("x").TotalSeconds, 3);
        Assert.Equal(0.2, bucket.When("y").TotalSeconds, 3);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, bucket.When("z"));
    }

    [Fact]
    public void Default_controller_limiter_takes_the_larger_delay()
    {
        var time = new ManualTimeProvider();
        var limiter = new MaxOfRateLimiter<string>(
            new ItemExponentialRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new TokenBucketRateLimiter<string>(10, 100, time));
        Assert.Equal(5, limiter.When("a").TotalMilliseconds);
        for (var i = 0; i < 99; i++)
        {
            limiter.When($"k{i}");
        }

        // Bucket empty: a fresh key waits for the bucket (100 ms), not its own 5 ms.
        Assert.Equal(100, limiter.When("fresh").TotalMilliseconds, 1);
        Assert.IsType<MaxOfRateLimiter<string>>(RateLimiters.DefaultController<string>());
    }
}
