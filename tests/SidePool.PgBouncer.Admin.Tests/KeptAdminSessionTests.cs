using Xunit;

namespace SidePool.PgBouncer.Admin.Tests;

public sealed class KeptAdminSessionTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Application = "kept-session-test";

    [Fact]
    public async Task Uses_share_one_login_and_the_session_shows_as_one_admin_client()
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, "scram-sha-256");
        await using var session = new KeptAdminSession(Application);

        var versions = new List<PgBouncerVersion>();
        for (var i = 0; i < 10; i++)
        {
            versions.Add(await session.RunAsync(bouncer.SocketEndpoint(), PgBouncerAdminClient.ShowVersionAsync));
        }

        var kept = (await bouncer.Client().ShowClientsAsync()).Count(c => c.ApplicationName == Application);

        Assert.All(versions, v => Assert.Equal(new PgBouncerVersion(1, 18, 0), v));
        Assert.Equal(1, session.SessionsOpened);
        Assert.Equal(1, kept);
    }

    [Fact]
    public async Task An_error_of_pgbouncer_keeps_the_session_and_another_endpoint_opens_a_new_one()
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, "scram-sha-256");
        await using var session = new KeptAdminSession(Application);

        var error = await Assert.ThrowsAsync<PgBouncerAdminException>(() => session.RunAsync(bouncer.SocketEndpoint(), (c, ct) => c.QueryAsync("SHOW NOTHING", ct)));
        await session.RunAsync(bouncer.SocketEndpoint(), PgBouncerAdminClient.ShowVersionAsync);
        var afterError = session.SessionsOpened;
        await session.RunAsync(bouncer.TcpEndpoint(), PgBouncerAdminClient.ShowVersionAsync);

        Assert.NotNull(error.SqlState);
        Assert.Equal(1, afterError);
        Assert.Equal(2, session.SessionsOpened);
    }

    [Fact]
    public async Task A_session_that_died_is_replaced_within_the_same_use()
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, "scram-sha-256");
        await using var session = new KeptAdminSession(Application);
        await session.RunAsync(bouncer.SocketEndpoint(), PgBouncerAdminClient.ShowVersionAsync);
        var ownSession = (await bouncer.Client().ShowClientsAsync()).Single(c => c.ApplicationName == Application);

        // PgBouncer 1.18 cannot be asked to drop one admin client (KILL_CLIENT is 1.24+), so the session dies on our side;
        // the agent's test of a PgBouncer crash (ScrapeSessionTests) covers a server-side break.
        await session.RunAsync(bouncer.SocketEndpoint(), async (c, ct) =>
        {
            await c.DisposeAsync();
            return 0;
        });
        var version = await session.RunAsync(bouncer.SocketEndpoint(), PgBouncerAdminClient.ShowVersionAsync);

        Assert.Equal(Application, ownSession.ApplicationName);
        Assert.Equal(new PgBouncerVersion(1, 18, 0), version);
        Assert.Equal(2, session.SessionsOpened);
    }

    [Fact]
    public async Task After_close_no_session_stays_open_and_each_use_logs_in_on_its_own()
    {
        await using var bouncer = await BouncerInstance.StartAsync(postgres.Server, "scram-sha-256");
        await using var session = new KeptAdminSession(Application);
        await session.RunAsync(bouncer.SocketEndpoint(), PgBouncerAdminClient.ShowVersionAsync);
        var keptBefore = (await bouncer.Client().ShowClientsAsync()).Count(c => c.ApplicationName == Application);

        await session.CloseAsync();
        var keptAfterClose = (await bouncer.Client().ShowClientsAsync()).Count(c => c.ApplicationName == Application);
        var seenDuringUse = await session.RunAsync(bouncer.SocketEndpoint(), async (c, ct) => (await PgBouncerAdminClient.ShowClientsAsync(c, ct)).Count(x => x.ApplicationName == Application));
        await session.RunAsync(bouncer.SocketEndpoint(), PgBouncerAdminClient.ShowVersionAsync);
        var keptAfterUses = (await bouncer.Client().ShowClientsAsync()).Count(c => c.ApplicationName == Application);

        Assert.Equal(1, keptBefore);
        Assert.True(session.IsClosed);
        Assert.Equal(0, keptAfterClose);
        Assert.Equal(1, seenDuringUse);
        Assert.Equal(0, keptAfterUses);
        Assert.Equal(3, session.SessionsOpened);
    }
}
