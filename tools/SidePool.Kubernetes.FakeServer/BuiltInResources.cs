namespace SidePool.Kubernetes.FakeServer;

/// <summary>The built-in resources registered when the server starts.</summary>
internal static class BuiltInResources
{
    private static readonly string[] All = ["all"];

    public static IReadOnlyList<ResourceDefinition> Definitions { get; } =
    [
        new("", "v1", "Namespace", "namespaces", "namespace", false, ["ns"], HasStatusSubresource: true)
        {
            TracksGeneration = false,
            PrinterColumns = [new("Status", "string", ".status.phase"), Age()],
        },
        new("", "v1", "Node", "nodes", "node", false, ["no"], HasStatusSubresource: true) { TracksGeneration = false },
        new("", "v1", "ConfigMap", "configmaps", "configmap", true, ["cm"])
        {
            TracksGeneration = false,
            PrinterColumns = [new("Data", "integer", "{count:.data}"), Age()],
        },
        new("", "v1", "Secret", "secrets", "secret", true)
        {
            TracksGeneration = false,
            PrinterColumns = [new("Type", "string", ".type"), new("Data", "integer", "{count:.data}"), Age()],
        },
        new("", "v1", "Pod", "pods", "pod", true, ["po"], All, HasStatusSubresource: true)
        {
            PrinterColumns = PodPrinter.Columns(Age()),
        },
        new("", "v1", "Service", "services", "service", true, ["svc"], All, HasStatusSubresource: true)
        {
            TracksGeneration = false,
            PrinterColumns = [new("Type", "string", ".spec.type"), new("Cluster-IP", "string", ".spec.clusterIP"), Age()],
        },
        new("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", true, ["sa"]) { TracksGeneration = false },
        new("", "v1", "Event", "events", "event", true, ["ev"]) { TracksGeneration = false },
        new("", "v1", "Endpoints", "endpoints", "endpoints", true, ["ep"]) { TracksGeneration = false },
        new("events.k8s.io", "v1", "Event", "events", "event", true, ["ev"]) { TracksGeneration = false },
        new("coordination.k8s.io", "v1", "Lease", "leases", "lease", true)
        {
            TracksGeneration = false,
            PrinterColumns = [new("Holder", "string", ".spec.holderIdentity"), Age()],
        },
        new("apps", "v1", "Deployment", "deployments", "deployment", true, ["deploy"], All, HasStatusSubresource: true)
        {
            Scale = new ScaleSubresource(),
            PrinterColumns = [new("Ready", "integer", ".status.readyReplicas"), new("Up-to-date", "integer", ".status.updatedReplicas"), new("Available", "integer", ".status.availableReplicas"), Age()],
        },
        new("apps", "v1", "ReplicaSet", "replicasets", "replicaset", true, ["rs"], All, HasStatusSubresource: true)
        {
            Scale = new ScaleSubresource(),
            PrinterColumns = [new("Desired", "integer", ".spec.replicas"), new("Current", "integer", ".status.replicas"), new("Ready", "integer", ".status.readyReplicas"), Age()],
        },
        new("apps", "v1", "StatefulSet", "statefulsets", "statefulset", true, ["sts"], All, HasStatusSubresource: true) { Scale = new ScaleSubresource() },
        new("apps", "v1", "DaemonSet", "daemonsets", "daemonset", true, ["ds"], All, HasStatusSubresource: true),
        new("batch", "v1", "Job", "jobs", "job", true, null, All, HasStatusSubresource: true),
        new("batch", "v1", "CronJob", "cronjobs", "cronjob", true, ["cj"], All, HasStatusSubresource: true),
        new("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", true, ["pdb"], HasStatusSubresource: true),
        // RBAC objects: enforced when AuthorizeWithRbac is on (Authorization/); like the real server's they have no
        // generation, no short names and (roles) a Created At column.
        new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", false)
        {
            TracksGeneration = false,
            PrinterColumns = [new("Created At", "date", ".metadata.creationTimestamp")],
        },
        new("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", true)
        {
            TracksGeneration = false,
            PrinterColumns = [new("Created At", "date", ".metadata.creationTimestamp")],
        },
        new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", false) { TracksGeneration = false },
        new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", true) { TracksGeneration = false },
        new("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", "mutatingwebhookconfiguration", false),
        new("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", "validatingwebhookconfiguration", false),
        new("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", "customresourcedefinition", false, ["crd", "crds"], HasStatusSubresource: true)
        {
            PrinterColumns = [new("Created At", "date", ".metadata.creationTimestamp")],
        },
    ];

    /// <summary>Resources whose immediate deletion answers with the deleted object rather than a Success Status.</summary>
    public static bool ReturnsDeletedObject(ResourceDefinition definition) =>
        definition.Group.Length == 0 && definition.Plural is "pods" or "namespaces";

    public static bool IsNamespace(ResourceDefinition definition) => definition.Group.Length == 0 && definition.Plural == "namespaces";

    public static bool IsCustomResourceDefinition(ResourceDefinition definition) =>
        definition.Group == "apiextensions.k8s.io" && definition.Plural == "customresourcedefinitions";

    private static PrinterColumn Age() => new("Age", "date", ".metadata.creationTimestamp");
}
