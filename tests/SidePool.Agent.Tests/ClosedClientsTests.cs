using SidePool.Agent.Telemetry;
using SidePool.Contract;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>
/// Counting clients closed by a timeout from PgBouncer's log (<see cref="ClosedClients"/>). The lines are PgBouncer
/// 1.18.0's own, as it wrote them on this machine (<c>LoadTests</c> checks the same through the real agent).
/// </summary>
public sealed class ClosedClientsTests
{
    // log_pooler_errors = 1 (default), log_disconnections = 0 (SidePool's default)
    private const string IdleTransactionError = "2026-12-03 13:50:07.621 UTC [8804] WARNING C-0x560e6f8b2680: orders/app@127.0.0.1:41900 pooler error: idle transaction timeout";
    private const string QueryWaitError = "2026-12-03 13:50:14.955 UTC [8804] WARNING C-0x560e6f8b28e0: orders/app@127.0.0.1:38060 pooler error: query_wait_timeout";
    private const string ClientIdleError = "2026-12-03 13:50:20.954 UTC [8804] WARNING C-0x560e6f8b2680: orders/app@127.0.0.1:38076 pooler error: client_idle_timeout";

    // log_disconnections = 1 as well: the same closes, each with a "closing because" line first
    private static readonly string[] WithDisconnections =
    [
        "2026-12-03 13:50:30.621 UTC [8804] LOG S-0x560e6f8b9d60: orders/app@127.0.0.1:55432 closing because: idle transaction timeout (age=17s)",
        "2026-12-03 13:50:30.621 UTC [8804] LOG C-0x560e6f8b2680: orders/app@127.0.0.1:56054 closing because: idle transaction timeout (age=1s)",
        "2026-12-03 13:50:30.621 UTC [8804] WARNING C-0x560e6f8b2680: orders/app@127.0.0.1:56054 pooler error: idle transaction timeout",
        "2026-12-03 13:50:34.621 UTC [8804] LOG C-0x560e6f8b2680: orders/app@127.0.0.1:56068 closing because: client_idle_timeout (age=3s)",
        "2026-12-03 13:50:34.621 UTC [8804] WARNING C-0x560e6f8b2680: orders/app@127.0.0.1:56068 pooler error: client_idle_timeout",
        "2026-12-03 13:50:40.259 UTC [8804] LOG C-0x560e6f8b2680: pgbouncer/admin@unix(9537):56432 closing because: client close request (age=4s)",
        "2026-12-03 13:50:42.621 UTC [8804] LOG C-0x560e6f8b28e0: orders/app@127.0.0.1:49868 closing because: query_wait_timeout (age=1s)",
        "2026-12-03 13:50:42.621 UTC [8804] WARNING C-0x560e6f8b28e0: orders/app@127.0.0.1:49868 pooler error: query_wait_timeout",
        "2026-12-03 13:50:44.073 UTC [8804] LOG C-0x560e6f8b2680: orders/app@127.0.0.1:49864 closing because: client close request (age=3s)",
    ];

    [Fact]
    public void Each_pooler_error_of_a_timeout_counts_one_closed_client()
    {
        var closed = new ClosedClients();

        Assert.Equal(VersionContract.Load.IdleTransactionTimeout, closed.Observe(IdleTransactionError));
        Assert.Equal(VersionContract.Load.QueryWaitTimeout, closed.Observe(QueryWaitError));
        Assert.Equal(VersionContract.Load.ClientIdleTimeout, closed.Observe(ClientIdleError));
        Assert.Equal(VersionContract.Load.ClientIdleTimeout, closed.Observe(ClientIdleError)); // a client at a reused address

        Assert.Equal(1, closed.Total(VersionContract.Load.IdleTransactionTimeout));
        Assert.Equal(1, closed.Total(VersionContract.Load.QueryWaitTimeout));
        Assert.Equal(2, closed.Total(VersionContract.Load.ClientIdleTimeout));
    }

    [Fact]
    public void A_close_logged_twice_with_log_disconnections_counts_once()
    {
        var closed = new ClosedClients();

        var counted = WithDisconnections.Select(closed.Observe).Where(t => t is not null).ToList();

        Assert.Equal([VersionContract.Load.IdleTransactionTimeout, VersionContract.Load.ClientIdleTimeout, VersionContract.Load.QueryWaitTimeout], counted);
        Span<long> totals = stackalloc long[3];
        closed.CopyTotals(totals);
        Assert.Equal([1L, 1L, 1L], totals.ToArray());
    }

    [Fact]
    public void Only_closing_lines_count_when_pooler_errors_are_not_logged()
    {
        var closed = new ClosedClients();

        foreach (var line in WithDisconnections.Where(l => !l.Contains("pooler error", StringComparison.Ordinal)))
        {
            closed.Observe(line);
        }

        Assert.Equal(1, closed.Total(VersionContract.Load.IdleTransactionTimeout));
        Assert.Equal(1, closed.Total(VersionContract.Load.QueryWaitTimeout));
        Assert.Equal(1, closed.Total(VersionContract.Load.ClientIdleTimeout));
    }

    [Theory]
    [InlineData("2026-12-03 13:50:30.621 UTC [8804] LOG S-0x560e6f8b9d60: orders/app@127.0.0.1:55432 closing because: idle transaction timeout (age=17s)")]
    [InlineData("2026-12-03 13:50:30.621 UTC [8804] WARNING C-0x560e6f8b2680: pgbouncer/sidepool-agent@unix(1):6432 pooler error: client_idle_timeout")]
    [InlineData("2026-12-03 13:50:30.621 UTC [8804] WARNING C-0x560e6f8b2680: orders/app@127.0.0.1:1 pooler error: query_timeout")]
    [InlineData("2026-12-03 13:50:30.621 UTC [8804] WARNING C-0x560e6f8b2680: orders/app@127.0.0.1:1 pooler error: client_login_timeout (server down)")]
    [InlineData("2026-12-03 13:50:30.621 UTC [8804] LOG stats: 0 xacts/s, 0 queries/s, in 0 B/s, out 0 B/s, xact 0 us, query 0 us, wait 0 us")]
    [InlineData("query_wait_timeout")]
    public void Other_lines_count_nothing(string line)
    {
        var closed = new ClosedClients();

        Assert.Null(closed.Observe(line));
        Assert.All(VersionContract.Load.Timeouts, t => Assert.Equal(0, closed.Total(t)));
    }
}
