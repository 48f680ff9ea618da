using SidePool.Testing;
using Xunit;

namespace SidePool.LoadGen.Tests;

/// <summary>The load generator as a process against a real PostgreSQL (SCRAM over loopback TCP, as through a pooler).</summary>
public sealed class LoadGenProcessTests
{
    private const string User = "load_app";

    // Characters a URL must percent-encode, in the user's password and the database name.
    private const string Password = "p@ss:w/rd%;' x";
    private const string Database = "load db";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<PostgresServer> StartDatabaseAsync()
    {
        var server = await PostgresServer.StartAsync();
        await server.CreateRoleAsync(User, Password);
        await server.CreateDatabaseAsync(Database, User);
        return server;
    }

    private static string UrlOf(PostgresServer server) =>
        $"postgresql://{User}:{Uri.EscapeDataString(Password)}@{server.Host}:{server.Port}/{Uri.EscapeDataString(Database)}?application_name=loadgen-test";

    [Fact]
    public async Task ItRunsTransactionsReconnectsAndOnSigtermFinishesWithCountsTheDatabaseConfirms()
    {
        await using var server = await StartDatabaseAsync();
        await using var load = LoadGenProcess.Start(UrlOf(server), new Dictionary<string, string> { ["WORKERS"] = "3", ["PAUSE_MS"] = "5", ["RECONNECT_EVERY"] = "10" });

        await load.WaitForStatsAsync(s => s.Ok > 0, Patience);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await load.TerminateAsync(TimeSpan.FromSeconds(15));

        Assert.True(load.ExitCode == 0, string.Join('\n', load.RawLines));
        var lines = load.Lines;
        Assert.Equal("start", lines[0].Kind);
        Assert.Equal($"postgresql://{User}@127.0.0.1:{server.Port}/load%20db", lines[0].Json.GetProperty("target").GetString());
        Assert.DoesNotContain(lines, l => l.Kind == "failure");
        Assert.All(lines.Skip(1).SkipLast(1), l => Assert.Equal("stats", l.Kind));
        var stats = lines.Where(l => l.Kind == "stats").ToList();
        Assert.True(stats.Count >= 2, $"{stats.Count} stats lines in a run of over 2 s");
        Assert.Equal(stats.Select(s => s.Ok).Order(), stats.Select(s => s.Ok)); // cumulative
        var final = lines[^1];
        Assert.Equal("final", final.Kind);
        Assert.True(final.Ok > 0 && final.Ok >= stats[^1].Ok, $"final ok {final.Ok}, last stats ok {stats[^1].Ok}");
        Assert.Equal(0, final.Failed);
        Assert.True(final.Json.GetProperty("seconds").GetDouble() >= 2);

        // Every committed transaction incremented its worker's row once: the database agrees with the count.
        Assert.Equal(final.Ok, await server.QueryScalarAsync<decimal>("SELECT sum(n) FROM sidepool_loadgen", Database));
        Assert.Equal(3L, await server.QueryScalarAsync<long>("SELECT count(*) FROM sidepool_loadgen", Database));

        // A worker logs in again every 10 transactions, and the server saw those logins.
        Assert.True(final.Connects >= final.Ok / 10, $"{final.Connects} logins for {final.Ok} transactions");
        var sessions = 0L;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10); DateTime.UtcNow < deadline && sessions < final.Connects; await Task.Delay(200))
        {
            sessions = await server.QueryScalarAsync<long>($"SELECT sessions FROM pg_stat_database WHERE datname = '{Database}'");
        }

        Assert.True(sessions >= final.Connects, $"the server counted {sessions} sessions, the load generator {final.Connects} logins");
    }

    [Fact]
    public async Task WhenTheDatabaseGoesAwayEachFailureIsReportedWithItsErrorAndTheLoadRecovers()
    {
        await using var server = await StartDatabaseAsync();
        await using var load = LoadGenProcess.Start(UrlOf(server), new Dictionary<string, string> { ["WORKERS"] = "2", ["PAUSE_MS"] = "10", ["RETRY_MS"] = "50" });
        await load.WaitForStatsAsync(s => s.Ok > 0, Patience);

        await server.StopAsync();
        await load.WaitForLineAsync(l => l.Kind == "failure" && l.Error.Contains("Connection refused", StringComparison.Ordinal), Patience);
        var okDuringOutage = load.Lines.Last(l => l.Kind == "stats").Ok;

        await server.StartAgainAsync();
        await load.WaitForStatsAsync(s => s.Ok > okDuringOutage, Patience);
        await load.TerminateAsync(TimeSpan.FromSeconds(15));

        Assert.True(load.ExitCode == 0, string.Join('\n', load.RawLines));
        var failures = load.Failures;
        Assert.NotEmpty(failures);
        Assert.All(failures, f =>
        {
            Assert.False(string.IsNullOrWhiteSpace(f.Error));
            Assert.Contains(f.Phase, new[] { "connect", "setup", "transaction" });
        });

        // A refused login has no SQLSTATE; the server's own errors (sessions it terminated) carry theirs.
        var refused = failures.Where(f => f.Error == $"Failed to connect to 127.0.0.1:{server.Port}: Connection refused").ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, f => Assert.Equal(("connect", null), (f.Phase, f.SqlState)));
        Assert.All(failures.Where(f => f.SqlState is not null), f => Assert.Matches("^[0-9A-Z]{5}$", f.SqlState!));

        var final = load.Lines[^1];
        Assert.Equal("final", final.Kind);
        Assert.Equal(failures.Count, final.Failed);
        Assert.True(final.Ok > okDuringOutage, $"no transaction after the database came back: ok {final.Ok}, {okDuringOutage} during the outage");

        // Every transaction counted ok committed; one counted failed may have committed too if the server went
        // away between its COMMIT and the answer.
        var committed = await server.QueryScalarAsync<decimal>("SELECT sum(n) FROM sidepool_loadgen", Database);
        Assert.InRange(committed, final.Ok, final.Ok + final.Failed);
    }
}
