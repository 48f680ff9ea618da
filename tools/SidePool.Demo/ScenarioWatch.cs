using System.Diagnostics;
using System.Globalization;
using SidePool.Demo.Cluster;

namespace SidePool.Demo;

/// <summary>
/// What every scenario under load shares (the tour, <see cref="DemoRun"/>, and the budget, <see cref="BudgetRun"/>):
/// a clock for the live lines, the steps (<see cref="Timeline"/>), every app transaction (<see cref="Ledger"/>, fed by
/// a <see cref="LogFollower"/>) and, every second, a sample of the pods per version with a progress line.
/// </summary>
internal sealed class ScenarioWatch(TextWriter output)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string _step = "starting";

    public Timeline Timeline { get; } = new();

    public LoadLedger Ledger { get; } = new();

    /// <summary>A live line, prefixed with the seconds since the scenario started.</summary>
    public void Say(string message) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,5:0}s] {message}"));

    /// <summary>Runs one step of the scenario, announced and marked on the timeline.</summary>
    public async Task StepAsync(string name, Func<Task> action)
    {
        _step = name;
        Say($"step: {name}");
        Timeline.Begin(name, DateTimeOffset.UtcNow);
        await action();
        Timeline.End(DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Every second until cancelled: follows the app pods that run, samples the pods per version (terminating ones
    /// included) and the ledger into the timeline, and prints a progress line (<paramref name="detail"/> adds to it).
    /// </summary>
    public Task SampleAsync(ShopApp app, LogFollower follower, Func<string>? detail, CancellationToken cancellationToken)
    {
        long lastOk = 0;
        var lastTime = DateTimeOffset.UtcNow;
        return Polling.EveryAsync(TimeSpan.FromSeconds(1), async () =>
        {
            var pods = await app.PodsAsync(includeTerminating: true, cancellationToken);
            follower.FollowRunning(pods);
            var now = DateTimeOffset.UtcNow;
            var perVersion = app.PerVersion(pods);
            var (ok, failed) = (Ledger.Ok, Ledger.Failed);
            Timeline.Add(new Sample(now, ok, failed, perVersion));
            var tps = (ok - lastOk) / Math.Max(0.001, (now - lastTime).TotalSeconds);
            (lastOk, lastTime) = (ok, now);
            var extra = detail is null ? "" : $" | {detail()}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,5:0}s] {_step,-58} | pods {ShopApp.Describe(perVersion),-28} | {tps,5:0} tps | failed {failed}{extra}"));
        }, cancellationToken);
    }
}
