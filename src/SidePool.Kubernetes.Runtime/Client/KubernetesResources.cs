using k8s.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>The built-in kinds SidePool touches, each with its API location (types from KubernetesClient's k8s.Models).</summary>
public static class KubernetesResources
{
    public static ResourceType<V1Pod> Pods { get; } = new(new("", "v1", "pods", "Pod", true));
    public static ResourceType<V1Namespace> Namespaces { get; } = new(new("", "v1", "namespaces", "Namespace", false));
    public static ResourceType<V1Node> Nodes { get; } = new(new("", "v1", "nodes", "Node", false));
    public static ResourceType<V1ConfigMap> ConfigMaps { get; } = new(new("", "v1", "configmaps", "ConfigMap", true));
    public static ResourceType<V1Secret> Secrets { get; } = new(new("", "v1", "secrets", "Secret", true));
    public static ResourceType<V1ReplicaSet> ReplicaSets { get; } = new(new("apps", "v1", "replicasets", "ReplicaSet", true));
    public static ResourceType<V1Deployment> Deployments { get; } = new(new("apps", "v1", "deployments", "Deployment", true));
    public static ResourceType<V1StatefulSet> StatefulSets { get; } = new(new("apps", "v1", "statefulsets", "StatefulSet", true));
    public static ResourceType<V1DaemonSet> DaemonSets { get; } = new(new("apps", "v1", "daemonsets", "DaemonSet", true));
    public static ResourceType<V1Job> Jobs { get; } = new(new("batch", "v1", "jobs", "Job", true));
    public static ResourceType<V1Lease> Leases { get; } = new(new("coordination.k8s.io", "v1", "leases", "Lease", true));
    public static ResourceType<Eventsv1Event> Events { get; } = new(new("events.k8s.io", "v1", "events", "Event", true));

    public static ResourceType<V1MutatingWebhookConfiguration> MutatingWebhookConfigurations { get; } =
        new(new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false));

    public static ResourceType<V1ValidatingWebhookConfiguration> ValidatingWebhookConfigurations { get; } =
        new(new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false));

    public static ResourceType<V1CustomResourceDefinition> CustomResourceDefinitions { get; } =
        new(new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false));
}
