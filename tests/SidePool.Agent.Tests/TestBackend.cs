using SidePool.Testing;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>A PostgreSQL server with the pool's role and database, shared by the tests of a class.</summary>
public sealed class TestBackend : IAsyncLifetime
{
    public const string User = "app";
    public const string Password = "app-password-1";
    public const string Database = "orders";

    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.StartAsync(new PostgresOptions { MaxConnections = 120 });
        await Server.CreateRoleAsync(User, Password);
        await Server.CreateDatabaseAsync(Database, User);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
