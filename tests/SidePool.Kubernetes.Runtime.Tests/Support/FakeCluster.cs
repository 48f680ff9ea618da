using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.FakeServer;

namespace SidePool.Kubernetes.Runtime.Tests.Support;

/// <summary>A fake API server plus a client for it.</summary>
public sealed class FakeCluster : IAsyncDisposable
{
    private FakeCluster(FakeApiServer server)
    {
        Server = server;
        Client = KubernetesClient.ForServer(server.BaseAddress, "default", new KubernetesClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
    }

    public FakeApiServer Server { get; }

    public KubernetesClient Client { get; }

    public static async Task<FakeCluster> StartAsync(FakeApiServerOptions? options = null) => new(await FakeApiServer.StartAsync(options));

    /// <summary>Retries an operation through injected server errors (5xx, transport); other errors propagate.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> operation)
    {
        while (true)
        {
            try
            {
                return await operation();
            }
            catch (Exception ex) when (ex is KubernetesServerErrorException or KubernetesTransportException)
            {
                await Task.Delay(2);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
