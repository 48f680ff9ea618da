using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox.Kubelet;

/// <summary>What every pod worker shares: podman, its exit events, the API, the object caches, the settings, the pod addresses.</summary>
internal sealed record KubeletContext(PodmanCli Podman, PodmanEvents Events, IResourceClient<Pod> Pods, IObjectLookup Objects, KubeletSettings Settings, ILogger Logger, PodAddressPool Addresses);
