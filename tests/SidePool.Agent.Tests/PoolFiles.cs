using SidePool.Api;
using SidePool.Rendering;

namespace SidePool.Agent.Tests;

/// <summary>Renders a pool's files with the operator's renderer for a test backend.</summary>
internal static class PoolFiles
{
    public static readonly PoolSecrets Secrets = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>What apps log in to the sidecar with (the backend password stays between PgBouncer and PostgreSQL).</summary>
    public const string ClientPassword = "agent-test-client-password_0123456789abcdef";

    public static RenderedPool Render(
        string mountDirectory,
        string socketDirectory,
        int backendPort,
        int listenPort,
        string password,
        int poolSize = 10,
        int maxClientConnections = 100,
        string poolName = "orders-db",
        IReadOnlyDictionary<string, string>? parameters = null)
    {
        var spec = new ConnectionPoolSpec
        {
            Backend = new BackendSpec
            {
                Host = "127.0.0.1",
                Port = backendPort,
                Database = TestBackend.Database,
                CredentialsSecret = new CredentialsSecretRef { Name = "orders-credentials" },
            },
            Pool = new PoolSettings
            {
                Mode = "transaction",
                Size = poolSize,
                MaxClientConnections = maxClientConnections,
                Parameters = parameters ?? new Dictionary<string, string>(),
            },
            Sidecar = new SidecarSpec { Port = listenPort },
        };
        var layout = new RenderLayout { ConfigDirectory = mountDirectory, SocketDirectory = socketDirectory };
        var config = PoolRenderer.Render(poolName, spec, new PoolCredentials(TestBackend.User, password), new ClientCredentials(TestBackend.User, ClientPassword), Secrets, layout);
        return PoolRenderer.Finish(config, new string('0', 64), "test", Secrets);
    }
}
