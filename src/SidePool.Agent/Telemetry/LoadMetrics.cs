using Prometheus;
using SidePool.Contract;

namespace SidePool.Agent.Telemetry;

/// <summary>
/// The load figures of <c>GET /load</c> as metrics (docs/metrics.md): clients PgBouncer closed by each timeout
/// (<see cref="ClosedClients"/>; every series from the start, at 0), transactions by their estimated wait for a server
/// (the <see cref="LoadWindow"/> estimate, bucket bounds <see cref="LoadMessages.WaitBucketsMs"/> in seconds) and the
/// window's server utilisation.
/// </summary>
internal sealed class LoadMetrics
{
    private static readonly double[] WaitBuckets = [.. LoadMessages.WaitBucketsMs.Select(ms => ms / 1000)];

    private readonly ClosedClients _closed;
    private readonly Counter _closedTotal;
    private readonly Counter.Child[] _closedSeries;
    private readonly Histogram _wait;
    private readonly Gauge _utilisation;
    private readonly long[] _totals = new long[VersionContract.Load.Timeouts.Count];
    private readonly Lock _gate = new();

    public LoadMetrics(CollectorRegistry registry, ClosedClients closed)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _closed = closed;
        var factory = Metrics.WithCustomRegistry(registry);
        _closedTotal = factory.CreateCounter(
            "sidepool_agent_clients_closed_total",
            "Clients PgBouncer closed by a timeout (idle_transaction_timeout, query_wait_timeout, client_idle_timeout), counted from its log.",
            ["timeout"]);
        _closedSeries = [.. VersionContract.Load.Timeouts.Select(t => _closedTotal.WithLabels(t))];
        _wait = factory.CreateHistogram(
            "sidepool_agent_client_wait_seconds",
            "Transactions by how long their client waited for a server connection, estimated each second from PgBouncer's totals (wait time growth over transaction count growth).",
            new HistogramConfiguration { Buckets = WaitBuckets });
        _utilisation = factory.CreateGauge(
            "sidepool_agent_server_utilisation_ratio",
            "Server connections linked to a client over the pool size, averaged over the last 5 minutes of one-second samples (app pools only).");
        registry.AddBeforeCollectCallback(Observe);
    }

    /// <summary><paramref name="count"/> transactions whose clients waited about <paramref name="seconds"/> each.</summary>
    public void Waited(double seconds, long count) => _wait.Observe(seconds, count);

    public void SetUtilisation(double ratio) => _utilisation.Set(ratio);

    private void Observe()
    {
        lock (_gate)
        {
            _closed.CopyTotals(_totals);
            for (var i = 0; i < _totals.Length; i++)
            {
                _closedSeries[i].IncTo(_totals[i]);
            }
        }
    }
}
