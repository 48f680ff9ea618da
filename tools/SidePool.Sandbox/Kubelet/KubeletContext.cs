using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox.Kubelet;

/// <summary>What every pod worker shares: podman, its exit events, the API, the object caches, the settings, the pod addresses, TokenRequest.</summary>
internal sealed record KubeletContext(PodmanCli Podman, PodmanEvents Events, IResourceClient<Pod> Pods, IObjectLookup Objects, KubeletSettings Settings, ILogger Logger, PodAddressPool Addresses, TokenSource RequestToken);

/// <summary>TokenRequest for a pod's projected serviceAccountToken: (namespace, service account, expirationSeconds, audience, pod) → token.</summary>
internal delegate Task<string> TokenSource(string @namespace, string serviceAccount, long expirationSeconds, string? audience, Pod pod, CancellationToken cancellationToken);
