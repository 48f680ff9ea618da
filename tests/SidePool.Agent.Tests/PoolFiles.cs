using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;

namespace SidePool.Agent.Tests;

/// <summary>Renders a pool's files with the operator's renderer (<see cref="PoolRenderer.Render(string, ConnectionPoolSpec, PoolCredentials, ClientCredentials, PoolKey, RenderLayout)"/> then <see cref="PoolRenderer.Finish"/>) for a test backend.</summary>
internal static class PoolFiles
{
    public const string Version = "test-version-1";

    public static readonly PoolKey Secrets = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>The client password of this test run (what applications log in to the sidecar with).</summary>
    public static readonly string ClientPassword = ClientCredentials.GeneratePassword();

    /// <summary>
    /// Renders and seals a version: the backend password goes into <c>pgbouncer.ini</c>'s connection string, the
    /// client password into <c>userlist.txt</c>; the version Secret's extra files (client password, URLs) come along
    /// as they do in a pod, for the agent to ignore.
    /// </summary>
    public static RenderedPool Render(
        string mountDirectory,
        string socketDirectory,
        int backendPort,
        int listenPort,
        string backendPassword,
        int poolSize = 10,
        int maxClientConnections = 100,
        string poolName = "orders-db",
        IReadOnlyDictionary<string, string>? parameters = null,
        string? clientPassword = null,
        string clientAuth = "trust",
        string version = Version,
        int? maxConnections = null,
        string? acquisitionTimeout = null)
    {
        var spec = new ConnectionPoolSpec
        {
            Backend = new BackendSpec
            {
                Host = "127.0.0.1",
                Port = backendPort,
                Database = TestBackend.Database,
                CredentialsSecret = new CredentialsSecretRef { Name = "orders-credentials" },
                MaxConnections = maxConnections,
            },
            Pool = new PoolSettings
            {
                Mode = "transaction",
                Size = poolSize,
                MaxClientConnections = maxClientConnections,
                Parameters = parameters ?? new Dictionary<string, string>(),
            },
            Sidecar = new SidecarSpec { Port = listenPort, ClientAuth = clientAuth },
        };
        if (acquisitionTimeout is not null)
        {
            spec.Pool.AcquisitionTimeout = acquisitionTimeout;
        }

        var layout = new RenderLayout { ConfigDirectory = mountDirectory, SocketDirectory = socketDirectory };
        var client = new ClientCredentials(TestBackend.User, clientPassword ?? ClientPassword);
        var config = PoolRenderer.Render(poolName, spec, new PoolCredentials(TestBackend.User, backendPassword), client, Secrets, layout);
        var appFiles = new Dictionary<string, string>
        {
            [VersionContract.Files.ClientPassword] = client.Password,
            [VersionContract.Files.DatabaseUrl] = $"postgresql://{client.Username}:{client.Password}@127.0.0.1:{listenPort}/{TestBackend.Database}",
            [VersionContract.Files.DirectUrl] = $"postgresql://{TestBackend.User}:{backendPassword}@127.0.0.1:{backendPort}/{TestBackend.Database}",
        };
        return PoolRenderer.Finish(config, version, "sidepool-agent:test", Secrets, appFiles);
    }
}
