using SidePool.Testing;
using Xunit;

namespace SidePool.Core.Tests;

/// <summary>One real PostgreSQL shared by a test collection, with the pool's role and database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.StartAsync(new PostgresOptions { MaxConnections = 200 });
        await Server.CreateRoleAsync(Pools.Credentials.Username, Pools.Credentials.Password);
        await Server.CreateDatabaseAsync("orders", Pools.Credentials.Username);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
