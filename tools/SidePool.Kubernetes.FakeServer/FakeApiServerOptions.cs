using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>Options for <see cref="FakeApiServer.StartAsync"/>.</summary>
public sealed record FakeApiServerOptions
{
    /// <summary>The port on 127.0.0.1 to listen on; 0 (default) picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Server certificate (with private key). <c>null</c> serves plain http.</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    /// <summary>When set, every request must carry <c>Authorization: Bearer &lt;token&gt;</c>, otherwise 401.</summary>
    public string? RequiredBearerToken { get; init; }

    /// <summary>
    /// Bearer tokens of further users (e.g. a service account's token for the operator): a request with one of them
    /// authenticates as its user. When any is set, a request with an unknown bearer token is 401, as a real server answers.
    /// </summary>
    public IReadOnlyDictionary<string, V1UserInfo> BearerTokens { get; init; } = new Dictionary<string, V1UserInfo>();

    /// <summary>
    /// Authorize every API request with RBAC over the stored Roles, ClusterRoles and bindings, and enforce
    /// OwnerReferencesPermissionEnforcement (see Authorization/RequestAuthorizer). Members of <c>system:masters</c> and
    /// <c>kubeadm:cluster-admins</c> (the default <see cref="RequestUser"/>) may do anything. Off by default: everyone may.
    /// </summary>
    public bool AuthorizeWithRbac { get; init; }

    /// <summary>Require a TLS client certificate (any certificate is accepted; https only).</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>How many watch events are retained; watches from older resourceVersions get 410 Expired.</summary>
    public int WatchHistoryLimit { get; init; } = 10_000;

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> receives a BOOKMARK event.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Maps a webhook's <c>clientConfig.service</c> to the base address that serves it (there is no cluster network): the
    /// service's <c>path</c> is appended and the certificate must still be valid for <c>&lt;name&gt;.&lt;namespace&gt;.svc</c>.
    /// Null, or a null answer: the Service object is resolved to one of its ready pods (<c>podIP</c> and the targetPort, see
    /// Admission/ServiceEndpointResolver); without the Service the call fails with <c>service "name" not found</c>, without
    /// a ready pod with <c>no endpoints available for service "name"</c> (and <c>failurePolicy</c> decides).
    /// </summary>
    public Func<Admissionregistrationv1ServiceReference, Uri?>? WebhookServiceResolver { get; init; }

    /// <summary>
    /// In-cluster API access for pods (<see cref="ServiceAccountAccess"/>): every namespace gets the ServiceAccount
    /// <c>default</c> and the ConfigMap <c>kube-root-ca.crt</c> (the server certificate as <c>ca.crt</c>), the ServiceAccount
    /// admission plugin adds the <c>kube-api-access-*</c> projected volume to pods, and TokenRequest
    /// (<c>serviceaccounts/NAME/token</c>) issues bearer tokens of service accounts. Off by default.
    /// </summary>
    public bool ServiceAccountTokens { get; init; }

    /// <summary>Who requests over HTTP are, as admission webhooks see it (<c>userInfo</c>), when no client certificate is presented.</summary>
    public V1UserInfo RequestUser { get; init; } = new()
    {
        Username = "kubernetes-admin",
        Groups = ["kubeadm:cluster-admins", "system:authenticated"],
    };

    /// <summary>Where the server logs webhook failures and controller errors. Null = nowhere.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// Run the workload controllers inside the server (Deployment → ReplicaSet, ReplicaSet → Pods, StatefulSet → Pods), as
    /// kube-controller-manager would. Their writes go through admission (webhooks see the pods they create). Off by default.
    /// </summary>
    public bool RunControllers { get; init; }

    /// <summary>
    /// Run the pod lifecycle SIMULATION (a stand-in for a scheduler and kubelets; no containers run): unscheduled pods are bound
    /// to <see cref="SimulatedNodeName"/>, bound pods become Running and, after <see cref="PodReadinessDelay"/>, Ready; a pod
    /// deletion marks the pod terminating (graceful deletion) and the simulated kubelet removes it after
    /// <see cref="PodTerminationDelay"/>. Off by default (pods then stay Pending and are deleted at once, as before).
    /// </summary>
    public bool SimulatePodLifecycle { get; init; }

    /// <summary>How long a simulated pod stays Running but not Ready after it started. Default 0.</summary>
    public TimeSpan PodReadinessDelay { get; init; }

    /// <summary>How long a simulated kubelet takes to remove a terminating pod after the API server marked it. Default 0.</summary>
    public TimeSpan PodTerminationDelay { get; init; }

    /// <summary>The name of the simulated node (registered as a Ready Node object). Default <c>fake-node</c>.</summary>
    public string SimulatedNodeName { get; init; } = "fake-node";

    /// <summary>
    /// EXTERNAL KUBELET mode: a real node agent (e.g. the sandbox's podman kubelet) runs the pods of this node. The server
    /// registers the Node (Ready), binds every unscheduled pod to it (<c>spec.nodeName</c>, PodScheduled), as a scheduler
    /// would, and deletes scheduled pods gracefully (<c>deletionTimestamp</c> = now + grace, <c>deletionGracePeriodSeconds</c>)
    /// leaving them until the kubelet deletes them with <c>gracePeriodSeconds=0</c>; nothing is simulated: pod status is
    /// whatever the kubelet writes. Null (default): off. Not combinable with <see cref="SimulatePodLifecycle"/>.
    /// </summary>
    public string? ExternalKubeletNodeName { get; init; }

    /// <summary>
    /// Serves <c>GET …/pods/NAME/log</c> (<c>kubectl logs [-f]</c>): the node's kubelet provides the stream. Null: the
    /// subresource answers 400, as the real server does when it cannot reach a kubelet.
    /// </summary>
    public PodLogSource? PodLogs { get; init; }
}
