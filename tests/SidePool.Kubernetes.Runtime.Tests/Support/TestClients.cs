using SidePool.Kubernetes.Client;

namespace SidePool.Kubernetes.Runtime.Tests.Support;

internal static class TestClients
{
    public static KubernetesClient For(Uri server, string? token = null, KubernetesClientOptions? options = null, string @namespace = "default") =>
        KubernetesClient.ForServer(server, @namespace, options, token);
}
