namespace SidePool.Kubernetes.Models;

/// <summary>The built-in kinds SidePool touches, each with its API location and JSON metadata.</summary>
public static class KubernetesResources
{
    private static readonly KubernetesJsonContext Json = KubernetesJsonContext.Default;

    public static ResourceType<Pod> Pods { get; } = new(new("", "v1", "pods", "Pod", true), Json.Pod);
    public static ResourceType<Namespace> Namespaces { get; } = new(new("", "v1", "namespaces", "Namespace", false), Json.Namespace);
    public static ResourceType<Node> Nodes { get; } = new(new("", "v1", "nodes", "Node", false), Json.Node);
    public static ResourceType<ConfigMap> ConfigMaps { get; } = new(new("", "v1", "configmaps", "ConfigMap", true), Json.ConfigMap);
    public static ResourceType<Secret> Secrets { get; } = new(new("", "v1", "secrets", "Secret", true), Json.Secret);
    public static ResourceType<ReplicaSet> ReplicaSets { get; } = new(new("apps", "v1", "replicasets", "ReplicaSet", true), Json.ReplicaSet);
    public static ResourceType<Deployment> Deployments { get; } = new(new("apps", "v1", "deployments", "Deployment", true), Json.Deployment);
    public static ResourceType<StatefulSet> StatefulSets { get; } = new(new("apps", "v1", "statefulsets", "StatefulSet", true), Json.StatefulSet);
    public static ResourceType<DaemonSet> DaemonSets { get; } = new(new("apps", "v1", "daemonsets", "DaemonSet", true), Json.DaemonSet);
    public static ResourceType<Job> Jobs { get; } = new(new("batch", "v1", "jobs", "Job", true), Json.Job);
    public static ResourceType<Lease> Leases { get; } = new(new("coordination.k8s.io", "v1", "leases", "Lease", true), Json.Lease);
    public static ResourceType<Event> Events { get; } = new(new("events.k8s.io", "v1", "events", "Event", true), Json.Event);

    public static ResourceType<MutatingWebhookConfiguration> MutatingWebhookConfigurations { get; } =
        new(new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false), Json.MutatingWebhookConfiguration);

    public static ResourceType<ValidatingWebhookConfiguration> ValidatingWebhookConfigurations { get; } =
        new(new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false), Json.ValidatingWebhookConfiguration);

    public static ResourceType<CustomResourceDefinition> CustomResourceDefinitions { get; } =
        new(new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false), Json.CustomResourceDefinition);
}
