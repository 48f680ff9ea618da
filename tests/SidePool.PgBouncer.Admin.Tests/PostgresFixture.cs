using SidePool.Testing;
using Xunit;

namespace SidePool.PgBouncer.Admin.Tests;

/// <summary>One PostgreSQL server with an application role and database, shared by the tests of a class.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string AppUser = "app";
    public const string AppPassword = "app-secret-1";
    public const string Database = "orders";

    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.StartAsync();
        await Server.CreateRoleAsync(AppUser, AppPassword);
        await Server.CreateDatabaseAsync(Database, AppUser);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
