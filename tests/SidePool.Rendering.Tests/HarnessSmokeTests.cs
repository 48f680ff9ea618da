using Npgsql;
using SidePool.Testing;
using Xunit;

namespace SidePool.Rendering.Tests;

public sealed class HarnessSmokeTests
{
    [Fact]
    public async Task PostgresAcceptsScramOverTcpAndRejectsWrongPassword()
    {
        await using var pg = await PostgresServer.StartAsync();
        await pg.CreateRoleAsync("app", "s3cret");
        await pg.CreateDatabaseAsync("orders", "app");
        var ok = new NpgsqlConnectionStringBuilder { Host = pg.Host, Port = pg.Port, Username = "app", Password = "s3cret", Database = "orders", Pooling = false };
        await using (var c = new NpgsqlConnection(ok.ConnectionString))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand("select current_user", c);
            Assert.Equal("app", await cmd.ExecuteScalarAsync());
        }

        ok.Password = "wrong";
        await using var bad = new NpgsqlConnection(ok.ConnectionString);
        var e = await Assert.ThrowsAsync<PostgresException>(() => bad.OpenAsync());
        Assert.Equal("28P01", e.SqlState);
    }
}
