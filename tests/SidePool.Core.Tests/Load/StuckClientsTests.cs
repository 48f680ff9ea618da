using SidePool.Contract;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class StuckClientsTests
{
    private static PoolLoad Loads(params (string Version, LoadReport Report)[] reports) => new()
    {
        MeasuredAt = DateTimeOffset.UnixEpoch,
        Versions = reports.GroupBy(r => r.Version).ToDictionary(g => g.Key, g => VersionLoad.Merge(g.Select(r => r.Report).ToList())),
    };

    [Fact]
    public void Clients_closed_for_idling_in_a_transaction_make_their_version_stuck()
    {
        var closed = new Dictionary<string, long> { [VersionContract.Load.IdleTransactionTimeout] = 3 };
        var (status, reason, message) = StuckClients.Evaluate(
            Loads(("aaaaaaaaaa", LoadReports.Steady(300, 10, 2)), ("bbbbbbbbbb", LoadReports.Steady(300, 10, 2, closed: closed, idleInTransaction: 0.1))),
            "5m");
        Assert.Equal(("True", "IdleInTransaction"), (status, reason));
        Assert.Equal("version bbbbbbbbbb: 3 clients closed after idle_transaction_timeout (5m), servers idle in transaction 10% of their transaction time (last 5 minutes): the app leaves transactions open; each holds a server connection", message);
    }

    [Fact]
    public void Servers_idle_in_transaction_half_their_transaction_time_are_stuck_even_without_a_timeout()
    {
        var (status, _, message) = StuckClients.Evaluate(Loads(("aaaaaaaaaa", LoadReports.Steady(60, 10, 2, idleInTransaction: 0.6))), "0");
        Assert.Equal("True", status);
        Assert.StartsWith("version aaaaaaaaaa: servers idle in transaction 60%", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_idle_transaction_is_not_enough()
    {
        // 5 s of transaction time, 80% idle: under the 10 s floor
        var (status, reason, _) = StuckClients.Evaluate(Loads(("aaaaaaaaaa", LoadReports.Steady(5, 10, 1, idleInTransaction: 0.8))), "5m");
        Assert.Equal(("False", "NoneStuck"), (status, reason));
    }

    [Fact]
    public void Healthy_versions_are_not_stuck_and_no_measurement_is_unknown()
    {
        var (status, reason, message) = StuckClients.Evaluate(Loads(("aaaaaaaaaa", LoadReports.Steady(300, 10, 5, idleInTransaction: 0.04))), "5m");
        Assert.Equal(("False", "NoneStuck", "no version keeps clients idle in transaction (at most 4% of transaction time idle)"), (status, reason, message));
        Assert.Equal(("Unknown", "NotMeasured"), StuckClients.Evaluate(Loads(), "5m") is var (s, r, _) ? (s, r) : default);
    }
}
