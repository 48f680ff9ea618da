using System.Diagnostics;
using SidePool.Contract;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Telemetry;

/// <summary>
/// Samples PgBouncer's load once a second while it runs (SHOW POOLS, SHOW STATS_TOTALS, SHOW DATABASES on an admin
/// session of its own, kept between samples: no login per sample) into a <see cref="LoadWindow"/>, and answers
/// <c>GET /load</c> from it. A sample PgBouncer does not answer within <see cref="SampleTimeout"/> is a tick without
/// figures. Sampling stops when the drain begins (the drain closes the kept session first).
/// </summary>
internal sealed class LoadSampler(AgentState state, KeptAdminSession session, ClosedClients closed, LoadMetrics metrics, Func<int?> pgBouncerProcessId)
{
    /// <summary>The <c>application_name</c> of the sampler's kept admin session (visible in <c>SHOW CLIENTS</c>).</summary>
    public const string ApplicationName = "sidepool-agent-load";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(2);

    private readonly LoadWindow _window = new();
    private readonly Lock _gate = new();
    private readonly long[] _closedTotals = new long[VersionContract.Load.Timeouts.Count];
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Action<double, long> _waited = metrics.Waited;
    private string? _lastProblem;

    /// <summary>The report of the last <see cref="LoadMessages.WindowSeconds"/> seconds.</summary>
    public LoadReport Report()
    {
        lock (_gate)
        {
            return _window.Report(Now());
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken) && !state.IsDraining)
            {
                await SampleAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopped
        }
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        LoadObservation? observation = null;
        var epoch = pgBouncerProcessId() ?? 0;
        if (state.PgBouncerRunning && state.Admin is { } admin)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(SampleTimeout);
            try
            {
                observation = await session.RunAsync(admin.Endpoint, ReadAsync, timeout.Token);
                _lastProblem = null;
            }
            catch (Exception e) when (e is PgBouncerAdminException or IOException or System.Net.Sockets.SocketException
                                          || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // PgBouncer is restarting, paused or too slow: a tick without figures
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var problem = $"{e.GetType().Name}: {e.Message}";
                if (problem != _lastProblem)
                {
                    AgentLog.Error("load", $"sampling pgbouncer failed: {problem}");
                    _lastProblem = problem;
                }
            }
        }

        closed.CopyTotals(_closedTotals);
        lock (_gate)
        {
            _window.Record(Now(), observation, _closedTotals, epoch, _waited);
            metrics.SetUtilisation(_window.Utilisation);
        }
    }

    private static async Task<LoadObservation> ReadAsync(AdminConnection connection, CancellationToken cancellationToken) => new(
        await PgBouncerAdminClient.ShowPoolsAsync(connection, cancellationToken),
        await PgBouncerAdminClient.ShowStatsTotalsAsync(connection, cancellationToken),
        await PgBouncerAdminClient.ShowDatabasesAsync(connection, cancellationToken));

    private long Now() => (long)Stopwatch.GetElapsedTime(_started).TotalMilliseconds;
}
