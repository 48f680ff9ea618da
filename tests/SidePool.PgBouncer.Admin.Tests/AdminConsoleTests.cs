using Npgsql;
using Xunit;

namespace SidePool.PgBouncer.Admin.Tests;

public sealed class AdminConsoleTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Theory]
    [InlineData("scram-sha-256")]
    [InlineData("md5")]
    [InlineData("plain")]
    [InlineData("trust")]
    public async Task Authenticates_over_the_unix_socket_and_tcp(string authType)
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, authType);

        var overSocket = await new PgBouncerAdminClient(bouncer.SocketEndpoint()).ShowVersionAsync();
        var overTcp = await new PgBouncerAdminClient(bouncer.TcpEndpoint()).ShowVersionAsync();

        Assert.Equal(new PgBouncerVersion(1, 18, 0), overSocket);
        Assert.Equal(overSocket, overTcp);
    }

    [Theory]
    [InlineData("scram-sha-256")]
    [InlineData("md5")]
    public async Task Wrong_password_fails_without_revealing_it(string authType)
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, authType);

        var error = await Assert.ThrowsAsync<PgBouncerAdminException>(() => new PgBouncerAdminClient(bouncer.SocketEndpoint("not-the-password")).ShowVersionAsync());

        Assert.Equal("08P01", error.SqlState);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_password_is_retried_once_with_the_alternate_during_a_password_change()
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, "scram-sha-256");
        var version = await new PgBouncerAdminClient(bouncer.SocketEndpoint("the-old-password") with { AlternatePassword = BouncerInstance.AdminPassword }).ShowVersionAsync();
        Assert.Equal(1, version.Major);

        // Without a working alternate it still fails, with PgBouncer's own error.
        var error = await Assert.ThrowsAsync<PgBouncerAdminException>(() => new PgBouncerAdminClient(bouncer.SocketEndpoint("the-old-password") with { AlternatePassword = "another-wrong-one" }).ShowVersionAsync());
        Assert.NotNull(error.SqlState);
    }

    [Fact]
    public async Task Show_commands_are_typed_and_read_by_column_name()
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, "scram-sha-256");
        var admin = bouncer.Client();
        await using (var connection = new NpgsqlConnection(bouncer.AppConnectionString))
        {
            await connection.OpenAsync();
            for (var i = 0; i < 5; i++)
            {
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync();
            }

            var clients = await admin.ShowClientsAsync();
            Assert.Contains(clients, c => c is { User: PostgresFixture.AppUser, Database: PostgresFixture.Database, IsAdminSession: false });
            Assert.Contains(clients, c => c.IsAdminSession);
            Assert.Equal(1, await admin.CountApplicationClientsAsync());
        }

        var pools = await admin.ShowPoolsAsync();
        var pool = Assert.Single(pools, p => p.Database == PostgresFixture.Database);
        Assert.Equal(PostgresFixture.AppUser, pool.User);
        Assert.Equal("transaction", pool.PoolMode);
        Assert.Equal(1, pool.ServerIdle + pool.ServerUsed);

        var totals = Assert.Single(await admin.ShowStatsTotalsAsync(), s => s.Database == PostgresFixture.Database);
        Assert.True(totals.QueryCount >= 5, $"query_count {totals.QueryCount}");
        Assert.True(totals.TransactionCount >= 5, $"xact_count {totals.TransactionCount}");
        Assert.True(totals.BytesReceived > 0 && totals.BytesSent > 0);

        var stats = Assert.Single(await admin.ShowStatsAsync(), s => s.Database == PostgresFixture.Database);
        Assert.Equal(totals.QueryCount, stats.TotalQueryCount);

        var database = Assert.Single(await admin.ShowDatabasesAsync(), d => d.Name == PostgresFixture.Database);
        Assert.Equal(5, database.PoolSize);
        Assert.Equal(postgres.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), database.Port);
        Assert.False(database.Paused);

        var lists = await admin.ShowListsAsync();
        Assert.Equal(2, lists["databases"]); // orders and the admin console's pgbouncer
        Assert.True(lists.ContainsKey("free_clients"));

        var config = await admin.ShowConfigAsync();
        var maxClients = Assert.Single(config, c => c.Key == "max_client_conn");
        Assert.Equal("150", maxClients.Value);
        Assert.True(maxClients.Changeable);
        Assert.False(Assert.Single(config, c => c.Key == "listen_port").Changeable);

        Assert.Contains(await admin.ShowUsersAsync(), u => u.Name == PostgresFixture.AppUser);
    }

    [Fact]
    public async Task Errors_carry_sqlstate_and_leave_the_session_usable()
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, "scram-sha-256");
        await using var connection = await AdminConnection.OpenAsync(bouncer.SocketEndpoint());

        var error = await Assert.ThrowsAsync<PgBouncerAdminException>(() => connection.QueryAsync("SHOW NONSENSE"));
        var version = await PgBouncerAdminClient.ShowVersionAsync(connection, CancellationToken.None);

        Assert.False(string.IsNullOrEmpty(error.SqlState));
        Assert.Equal(18, version.Minor);
        Assert.False(connection.IsBroken);
    }

    [Fact]
    public async Task Pause_and_resume_are_visible_in_show_databases()
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, "scram-sha-256");
        var admin = bouncer.Client();

        await admin.PauseAsync(PostgresFixture.Database);
        var paused = Assert.Single(await admin.ShowDatabasesAsync(), d => d.Name == PostgresFixture.Database).Paused;
        await admin.ResumeAsync(PostgresFixture.Database);
        var resumed = Assert.Single(await admin.ShowDatabasesAsync(), d => d.Name == PostgresFixture.Database).Paused;

        Assert.True(paused);
        Assert.False(resumed);
    }

    [Fact]
    public async Task Reload_rereads_the_configuration()
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, "scram-sha-256");
        var admin = bouncer.Client();
        var result = await admin.QueryAsync("RELOAD");

        Assert.Equal("RELOAD", result.CommandTag);
    }

    [Fact]
    public async Task Shutdown_ends_pgbouncer_and_wait_modes_need_1_23()
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, "scram-sha-256");
        var admin = bouncer.Client();
        var version = await admin.ShowVersionAsync();

        await Assert.ThrowsAsync<NotSupportedException>(() => admin.ShutdownAsync(ShutdownMode.WaitForClients, version));
        await admin.ShutdownAsync(ShutdownMode.Immediate, version);

        Assert.True(await bouncer.Process.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }
}
