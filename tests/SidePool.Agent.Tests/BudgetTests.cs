using System.Net;
using System.Text;
using Npgsql;
using SidePool.Contract;
using SidePool.PgBouncer.Admin;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Agent.Tests;

/// <summary>
/// The live connection budget on real processes: an agent whose version has a budget key starts with its databases
/// paused (clients wait, no server connection), a signed PUT admits it, a lower share closes server connections as
/// clients release them (PostgreSQL's pg_stat_activity drops to the share), old epochs and bad signatures change nothing.
/// </summary>
public sealed class BudgetTests(TestBackend backend, ITestOutputHelper output) : IClassFixture<TestBackend>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task A_budgeted_pod_opens_no_server_connection_until_admitted_and_then_shrinks_as_clients_release()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, poolSize: 10, maxConnections: 20);
        var key = AgentConfig.Parse(agent.Rendered.Files[VersionContract.Files.Agent])!.Budget!.Key;
        var admin = agent.Admin();

        var before = await GetAsync(agent, key);
        Assert.Equal((0, 0, 0L), (before.Share, before.Servers, before.Epoch));
        Assert.Equal(1, before.Entries);

        // a client that arrives before the admission waits (its login needs the first server connection's parameters,
        // so the login itself waits); PostgreSQL sees no connection of the pool's user
        await using var early = new NpgsqlConnection(agent.AppConnectionString("early"));
        var opening = early.OpenAsync();
        await WaitUntilAsync(async () => (await admin.ShowPoolsAsync()).Any(p => p.Database == TestBackend.Database && p.ClientWaiting > 0), "the early client waits in PgBouncer");
        Assert.False(opening.IsCompleted);
        Assert.Equal(0, await ServerConnectionsAsync());

        // admitted with 8: the waiting client logs in and its query runs
        var admitted = await PutAsync(agent, key, epoch: 1, share: 8);
        Assert.Equal(HttpStatusCode.OK, admitted.Status);
        Assert.Equal(8, admitted.State!.Share);
        try
        {
            await opening;
        }
        catch
        {
            output.WriteLine(string.Join("\n", agent.Process.Lines));
            output.WriteLine(string.Join("\n", (await admin.ShowPoolsAsync()).Select(p => p.ToString())));
            throw;
        }
        Assert.Equal(42, await ScalarAsync(early, "SELECT 42"));
        Assert.Contains(await admin.ShowConfigAsync(), s => s.Key == "max_db_connections" && s.Value == "8");

        // 8 clients hold a server each inside a transaction
        var clients = new List<NpgsqlConnection>();
        var transactions = new List<NpgsqlTransaction>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var connection = new NpgsqlConnection(agent.AppConnectionString($"holder-{i}"));
                await connection.OpenAsync();
                clients.Add(connection);
                var transaction = await connection.BeginTransactionAsync();
                transactions.Add(transaction);
                await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection, transaction);
                await command.ExecuteScalarAsync();
            }

            Assert.Equal(8, await ServerConnectionsAsync());

            // lowered to 3: acknowledged at once, but the 8 servers are busy; the ack says so
            var lowered = await PutAsync(agent, key, epoch: 2, share: 3);
            Assert.Equal(HttpStatusCode.OK, lowered.Status);
            Assert.Equal(3, lowered.State!.Share);
            Assert.Equal(8, lowered.State.Servers);
            Assert.False(lowered.State.Settled);
            Assert.Equal(8, await ServerConnectionsAsync());

            // an older epoch and a bad signature are refused and change nothing
            var old = await PutAsync(agent, key, epoch: 1, share: 10);
            Assert.Equal(HttpStatusCode.Conflict, old.Status);
            Assert.Equal(3, old.State!.Share);
            var forged = await PutAsync(agent, "not-the-key", epoch: 3, share: 10);
            Assert.Equal(HttpStatusCode.Unauthorized, forged.Status);
            var unsigned = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Put, Url(agent)) { Content = new StringContent("{\"epoch\":4,\"share\":10}") });
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await Http.GetAsync(Url(agent))).StatusCode);
            Assert.Contains(await admin.ShowConfigAsync(), s => s.Key == "max_db_connections" && s.Value == "3");

            // the clients release their servers: PgBouncer closes the servers above the share
            foreach (var transaction in transactions)
            {
                await transaction.CommitAsync();
            }

            await WaitUntilAsync(async () => await ServerConnectionsAsync() <= 3, "pg_stat_activity drops to the share once clients release");
            var settled = await GetAsync(agent, key);
            Assert.Equal(2, settled.Epoch);
            Assert.True(settled.Servers <= 3, $"servers {settled.Servers}");
            Assert.True(settled.Settled);

            // every client still works, queued behind 3 servers
            foreach (var connection in clients)
            {
                Assert.Equal(1, await ScalarAsync(connection, "SELECT 1"));
            }

            Assert.True(await ServerConnectionsAsync() <= 3);
        }
        finally
        {
            foreach (var connection in clients)
            {
                await connection.DisposeAsync();
            }
        }

        Assert.DoesNotContain(agent.Process.Lines, l => l.Contains(key, StringComparison.Ordinal));
        output.WriteLine(string.Join("\n", agent.Process.Lines.Where(l => l.Contains("[budget]", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Removing_the_budget_resumes_a_pod_that_was_never_admitted()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, poolSize: 4, maxConnections: 20);
        var admin = agent.Admin();
        await using var waiting = new NpgsqlConnection(agent.AppConnectionString("waiting"));
        var opening = waiting.OpenAsync();
        await WaitUntilAsync(async () => (await admin.ShowPoolsAsync()).Any(p => p.Database == TestBackend.Database && p.ClientWaiting > 0), "the client waits in PgBouncer");

        var unbudgeted = agent.Publish(poolSize: 4); // rendered without backend.maxConnections: no budget key
        Assert.Null(AgentConfig.Parse(unbudgeted.Files[VersionContract.Files.Agent])!.Budget);
        await opening;
        Assert.Equal(7, await ScalarAsync(waiting, "SELECT 7"));
        await agent.Process.WaitForLineAsync(l => l.Contains($"configuration revision {unbudgeted.ConfigRevision[..12]} applied", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains(await admin.ShowConfigAsync(), s => s.Key == "default_pool_size" && s.Value == "4");
        Assert.Contains(await admin.ShowConfigAsync(), s => s.Key == "max_db_connections" && s.Value == "0");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(Url(agent))).StatusCode);
    }

    [Fact]
    public async Task A_pod_without_a_budget_key_has_no_budget_endpoint_and_starts_unpaused()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, poolSize: 4);
        Assert.Null(AgentConfig.Parse(agent.Rendered.Files[VersionContract.Files.Agent])!.Budget);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(Url(agent))).StatusCode);
        await using var client = new NpgsqlConnection(agent.AppConnectionString("unbudgeted"));
        await client.OpenAsync();
        Assert.Equal(1, await ScalarAsync(client, "SELECT 1"));
    }

    private static string Url(AgentProcess agent) => $"http://127.0.0.1:{agent.HttpPort}{VersionContract.Budget.Path}";

    private static async Task<BudgetState> GetAsync(AgentProcess agent, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(agent));
        request.Headers.Add(VersionContract.Budget.SignatureHeader, BudgetMessages.Sign(key, BudgetMessages.GetPayload));
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /budget: {(int)response.StatusCode} {body}");
        return BudgetMessages.ParseState(body);
    }

    private static async Task<(HttpStatusCode Status, BudgetState? State)> PutAsync(AgentProcess agent, string key, long epoch, int share)
    {
        var body = BudgetMessages.ToJson(new BudgetRequest { Epoch = epoch, Share = share });
        using var request = new HttpRequestMessage(HttpMethod.Put, Url(agent)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(VersionContract.Budget.SignatureHeader, BudgetMessages.Sign(key, Encoding.UTF8.GetBytes(body)));
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.TrimStart().StartsWith('{') ? BudgetMessages.ParseState(text) : null);
    }

    private Task<long> ServerConnectionsAsync() =>
        backend.Server.QueryScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE usename = '{TestBackend.User}' AND backend_type = 'client backend'");

    private static async Task<int> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Polls until the condition holds (a wait, not a timed assertion: the deadline only ends a hung run).</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"never happened: {what}");
            }

            await Task.Delay(50);
        }
    }
}
