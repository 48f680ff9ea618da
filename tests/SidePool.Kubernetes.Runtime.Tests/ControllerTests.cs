using System.Collections.Concurrent;
using System.Net;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Runtime.Controllers;
using SidePool.Kubernetes.Runtime.Tests.Support;
using SidePool.Kubernetes.Runtime.WorkQueues;
using Xunit;

namespace SidePool.Kubernetes.Runtime.Tests;

public sealed class ControllerTests
{
    private sealed class ScriptedReconciler(Func<string, int, ReconcileResult> behaviour) : IReconciler<string>
    {
        public ConcurrentDictionary<string, int> Calls { get; } = new();

        public Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
        {
            var call = Calls.AddOrUpdate(key, 1, (_, n) => n + 1);
            return Task.FromResult(behaviour(key, call));
        }
    }

    private static RateLimitingWorkQueue<string> FastQueue() =>
        new(new ItemExponentialRateLimiter<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(20)));

    [Fact]
    public async Task Done_requeue_error_and_conflict_are_handled_as_specified()
    {
        var reconciler = new ScriptedReconciler((key, call) => (key, call) switch
        {
            ("done", _) => ReconcileResult.Done,
            ("requeue", < 3) => ReconcileResult.Requeue(TimeSpan.FromMilliseconds(20)),
            ("requeue", _) => ReconcileResult.Done,
            ("error", < 4) => throw new InvalidOperationException("transient"),
            ("error", _) => ReconcileResult.Done,
            ("conflict", < 3) => throw new KubernetesConflictException("PUT: 409 Conflict", null),
            ("conflict", _) => ReconcileResult.Done,
            _ => throw new InvalidOperationException(),
        });
        var queue = FastQueue();
        var controller = new Controller<string>(reconciler, queue, new ControllerOptions { Workers = 2, Name = "test" });
        using var stop = new CancellationTokenSource();
        var run = controller.RunAsync(stop.Token);
        foreach (var key in new[] { "done", "requeue", "error", "conflict" })
        {
            controller.Queue.Add(key);
        }

        Assert.True(await Eventually.HoldsAsync(
            () => reconciler.Calls.GetValueOrDefault("requeue") == 3 && reconciler.Calls.GetValueOrDefault("error") == 4 && reconciler.Calls.GetValueOrDefault("conflict") == 3,
            TimeSpan.FromSeconds(10)));
        await Task.Delay(100);
        await stop.CancelAsync();
        await run;

        Assert.Equal(1, reconciler.Calls["done"]);
        Assert.Equal(3, reconciler.Calls["requeue"]);
        Assert.Equal(4, reconciler.Calls["error"]);
        Assert.Equal(3, reconciler.Calls["conflict"]);
        Assert.Equal(3, controller.Statistics.Failures);
        Assert.Equal(2, controller.Statistics.Conflicts);
        Assert.Equal(0, queue.NumRequeues("error"));
        Assert.Equal(0, queue.NumRequeues("conflict"));
    }

    [Fact]
    public async Task Failures_are_retried_with_growing_delays()
    {
        var stamps = new ConcurrentQueue<DateTime>();
        var reconciler = new ScriptedReconciler((_, call) =>
        {
            stamps.Enqueue(DateTime.UtcNow);
            return call < 5 ? throw new KubernetesServerErrorException("500", HttpStatusCode.InternalServerError, null) : ReconcileResult.Done;
        });
        var queue = new RateLimitingWorkQueue<string>(new ItemExponentialRateLimiter<string>(TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10)));
        var controller = new Controller<string>(reconciler, queue);
        using var stop = new CancellationTokenSource();
        var run = controller.RunAsync(stop.Token);
        controller.Queue.Add("k");
        Assert.True(await Eventually.HoldsAsync(() => stamps.Count == 5, TimeSpan.FromSeconds(10)));
        await stop.CancelAsync();
        await run;
        var times = stamps.ToArray();
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToArray();
        Assert.True(gaps[3] >= 150, $"the 4th retry waited {gaps[3]} ms, expected about 160");
        Assert.Equal(4, controller.Statistics.Failures);
    }
}
