using SidePool.Kubernetes.Auth;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;

namespace SidePool.Kubernetes.Tests.Support;

public static class TestClients
{
    public static KubernetesClient For(Uri server, IAuthenticationProvider? authentication = null, KubernetesClientOptions? options = null, string @namespace = "default") =>
        new(new KubernetesConnectionSettings { Server = server, Authentication = authentication, Namespace = @namespace }, options);
}
