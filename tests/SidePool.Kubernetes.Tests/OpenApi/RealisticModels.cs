using System.Text;
using System.Text.Json;
using SidePool.Kubernetes.Models;

namespace SidePool.Kubernetes.Tests.OpenApi;

/// <summary>Fully populated instances of every model the client serializes, as SidePool would send or echo them.</summary>
public static class RealisticModels
{
    private static readonly DateTimeOffset Created = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static ObjectMeta Meta(string name, string? ns = "shop") => new()
    {
        Name = name,
        Namespace = ns,
        Uid = "8d3a0a4c-0b0e-4a53-9b8e-2f4f9c5d1e11",
        ResourceVersion = "12345",
        Generation = 3,
        CreationTimestamp = Created,
        Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "web", ["sidepool.io/pool"] = "orders" },
        Annotations = new Dictionary<string, string> { ["sidepool.io/revision"] = "3,ghcr.io/sidepool/pgbouncer:1.23" },
        OwnerReferences = [new OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web-7d9f", Uid = "0f6c1d9e-1111-2222-3333-444455556666", Controller = true, BlockOwnerDeletion = true }],
        Finalizers = ["sidepool.io/cleanup"],
    };

    public static PodSpec PodSpec => new()
    {
        InitContainers =
        [
            new Container
            {
                Name = "pgbouncer",
                Image = "ghcr.io/sidepool/pgbouncer:1.23",
                ImagePullPolicy = "IfNotPresent",
                RestartPolicy = "Always",
                Args = ["/etc/pgbouncer/pgbouncer.ini"],
                Ports = [new ContainerPort { Port = 6432, Name = "pgbouncer", Protocol = "TCP" }],
                Env =
                [
                    new EnvVar { Name = "PGBOUNCER_PASSWORD", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = "orders-db", Key = "password", Optional = false } } },
                    new EnvVar { Name = "POD_NAMESPACE", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
                    new EnvVar { Name = "MODE", Value = "transaction" },
                ],
                VolumeMounts = [new VolumeMount { Name = "pgbouncer-config", MountPath = "/etc/pgbouncer", ReadOnly = true }, new VolumeMount { Name = "run", MountPath = "/var/run/pgbouncer" }],
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["cpu"] = "50m", ["memory"] = "32Mi" }, Limits = new Dictionary<string, string> { ["memory"] = "64Mi" } },
                StartupProbe = new Probe { HttpGet = new HttpGetAction { Path = "/ready", Port = "metrics", Scheme = "HTTP" }, PeriodSeconds = 1, FailureThreshold = 30 },
                ReadinessProbe = new Probe { HttpGet = new HttpGetAction { Path = "/ready", Port = 9127 }, PeriodSeconds = 5 },
                LivenessProbe = new Probe { TcpSocket = new TcpSocketAction { Port = 6432 }, InitialDelaySeconds = 5, TimeoutSeconds = 2, SuccessThreshold = 1 },
                Lifecycle = new Lifecycle { PreStop = new LifecycleHandler { Sleep = new SleepAction { Seconds = 5 } } },
                SecurityContext = new SecurityContext
                {
                    RunAsNonRoot = true,
                    RunAsUser = 70,
                    RunAsGroup = 70,
                    ReadOnlyRootFilesystem = true,
                    AllowPrivilegeEscalation = false,
                    Privileged = false,
                    Capabilities = new Capabilities { Drop = ["ALL"] },
                    SeccompProfile = new SeccompProfile { Type = "RuntimeDefault" },
                },
            },
        ],
        Containers =
        [
            new Container
            {
                Name = "app",
                Image = "example/app:2",
                Command = ["/app"],
                WorkingDir = "/srv",
                Env = [new EnvVar { Name = "DATABASE_HOST", Value = "127.0.0.1" }],
                ReadinessProbe = new Probe { Exec = new ExecAction { Command = ["/bin/true"] } },
                Lifecycle = new Lifecycle { PreStop = new LifecycleHandler { Exec = new ExecAction { Command = ["sleep", "2"] } }, PostStart = new LifecycleHandler { HttpGet = new HttpGetAction { Port = 8080, Path = "/warm" } } },
            },
        ],
        Volumes =
        [
            new Volume { Name = "pgbouncer-config", Secret = new SecretVolumeSource { SecretName = "orders-pgbouncer", DefaultMode = 256, Items = [new KeyToPath { Key = "pgbouncer.ini", Path = "pgbouncer.ini", Mode = 256 }] } },
            new Volume { Name = "run", EmptyDir = new EmptyDirVolumeSource { Medium = "Memory", SizeLimit = "1Mi" } },
            new Volume { Name = "extra", ConfigMap = new ConfigMapVolumeSource { Name = "extra", Optional = true } },
        ],
        ServiceAccountName = "web",
        NodeName = "node-1",
        HostNetwork = false,
        RestartPolicy = "Always",
        TerminationGracePeriodSeconds = 45,
        SecurityContext = new PodSecurityContext { RunAsNonRoot = true, FsGroup = 70, RunAsUser = 1000, RunAsGroup = 1000, SeccompProfile = new SeccompProfile { Type = "RuntimeDefault" } },
        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
    };

    public static PodTemplateSpec Template => new() { Metadata = new ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" }, Annotations = new Dictionary<string, string> { ["sidepool.io/inject"] = "true" } }, Spec = PodSpec };

    public static LabelSelector Selector => new()
    {
        MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
        MatchExpressions = [new LabelSelectorRequirement { Key = "tier", Operator = "In", Values = ["backend"] }],
    };

    public static Pod Pod => new()
    {
        Metadata = Meta("web-7d9f-abcde"),
        Spec = PodSpec,
        Status = new PodStatus
        {
            Phase = "Running",
            HostIP = "10.0.0.5",
            PodIP = "10.244.1.7",
            StartTime = Created,
            Conditions = [new PodCondition { Type = "Ready", Status = "True", LastTransitionTime = Created, LastProbeTime = Created, Reason = "PodReady", Message = "ok" }],
            InitContainerStatuses =
            [
                new ContainerStatus { Name = "pgbouncer", Ready = true, Started = true, RestartCount = 0, Image = "ghcr.io/sidepool/pgbouncer:1.23", ImageID = "ghcr.io/sidepool/pgbouncer@sha256:00", ContainerID = "containerd://1", State = new ContainerState { Running = new ContainerStateRunning { StartedAt = Created } } },
            ],
            ContainerStatuses =
            [
                new ContainerStatus
                {
                    Name = "app",
                    Ready = false,
                    RestartCount = 2,
                    Image = "example/app:2",
                    ImageID = "example/app@sha256:11",
                    State = new ContainerState { Waiting = new ContainerStateWaiting { Reason = "CrashLoopBackOff", Message = "back-off" } },
                    LastState = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = 1, Signal = 15, Reason = "Error", StartedAt = Created, FinishedAt = Created, ContainerId = "containerd://2" } },
                },
            ],
        },
    };

    public static Deployment Deployment => new()
    {
        Metadata = Meta("web") with { OwnerReferences = null },
        Spec = new DeploymentSpec
        {
            Replicas = 3,
            Selector = Selector,
            Template = Template,
            Strategy = new DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new RollingUpdateDeployment { MaxSurge = "25%", MaxUnavailable = 0 } },
            MinReadySeconds = 5,
            RevisionHistoryLimit = 10,
            Paused = false,
        },
        Status = new DeploymentStatus
        {
            ObservedGeneration = 3,
            Replicas = 3,
            UpdatedReplicas = 3,
            ReadyReplicas = 2,
            AvailableReplicas = 2,
            UnavailableReplicas = 1,
            Conditions = [new DeploymentCondition { Type = "Available", Status = "True", LastUpdateTime = Created, LastTransitionTime = Created, Reason = "MinimumReplicasAvailable", Message = "ok" }],
        },
    };

    public static ReplicaSet ReplicaSet => new()
    {
        Metadata = Meta("web-7d9f"),
        Spec = new ReplicaSetSpec { Replicas = 3, Selector = Selector, Template = Template, MinReadySeconds = 0 },
        Status = new ReplicaSetStatus { Replicas = 3, ReadyReplicas = 3, AvailableReplicas = 3, ObservedGeneration = 1, Conditions = [new WorkloadCondition { Type = "ReplicaFailure", Status = "False", LastTransitionTime = Created, Reason = "None", Message = string.Empty }] },
    };

    public static StatefulSet StatefulSet => new()
    {
        Metadata = Meta("db") with { OwnerReferences = null },
        Spec = new StatefulSetSpec { Replicas = 2, Selector = Selector, Template = Template, ServiceName = "db", PodManagementPolicy = "Parallel", UpdateStrategy = new StatefulSetUpdateStrategy { Type = "RollingUpdate" } },
        Status = new StatefulSetStatus { Replicas = 2, ReadyReplicas = 2, CurrentReplicas = 2, UpdatedReplicas = 2, AvailableReplicas = 2, ObservedGeneration = 3, CurrentRevision = "db-1", UpdateRevision = "db-1" },
    };

    public static DaemonSet DaemonSet => new()
    {
        Metadata = Meta("agent") with { OwnerReferences = null },
        Spec = new DaemonSetSpec { Selector = Selector, Template = Template, MinReadySeconds = 1, RevisionHistoryLimit = 3 },
        Status = new DaemonSetStatus { CurrentNumberScheduled = 3, NumberMisscheduled = 0, DesiredNumberScheduled = 3, NumberReady = 3, UpdatedNumberScheduled = 3, NumberAvailable = 3, NumberUnavailable = 0, ObservedGeneration = 3 },
    };

    public static Job Job => new()
    {
        Metadata = Meta("migrate") with { OwnerReferences = null },
        Spec = new JobSpec { Template = Template with { Spec = PodSpec with { RestartPolicy = "Never" } }, Parallelism = 1, Completions = 1, BackoffLimit = 2, ActiveDeadlineSeconds = 600, TtlSecondsAfterFinished = 300, Suspend = false },
        Status = new JobStatus { Active = 0, Succeeded = 1, Failed = 0, StartTime = Created, CompletionTime = Created, Conditions = [new JobCondition { Type = "Complete", Status = "True", LastProbeTime = Created, LastTransitionTime = Created, Reason = "Completed", Message = "done" }] },
    };

    public static Namespace Namespace => new()
    {
        Metadata = Meta("shop", null) with { OwnerReferences = null, Finalizers = null },
        Spec = new NamespaceSpec { Finalizers = ["kubernetes"] },
        Status = new NamespaceStatus { Phase = "Active" },
    };

    public static Node Node => new()
    {
        Metadata = Meta("node-1", null) with { OwnerReferences = null, Finalizers = null },
        Status = new NodeStatus
        {
            NodeInfo = new NodeSystemInfo
            {
                MachineID = "m",
                SystemUUID = "s",
                BootID = "b",
                KernelVersion = "6.8.0",
                OsImage = "Ubuntu 24.04",
                ContainerRuntimeVersion = "containerd://1.7.0",
                KubeletVersion = "v1.31.2",
                KubeProxyVersion = "v1.31.2",
                OperatingSystem = "linux",
                Architecture = "amd64",
            },
        },
    };

    public static ConfigMap ConfigMap => new()
    {
        Metadata = Meta("orders-pgbouncer") with { OwnerReferences = null },
        Data = new Dictionary<string, string> { ["pgbouncer.ini"] = "[databases]\n* = host=db\n" },
        BinaryData = new Dictionary<string, byte[]> { ["blob"] = [0, 1, 2, 255] },
        Immutable = false,
    };

    public static Secret Secret => new()
    {
        Metadata = Meta("orders-db") with { OwnerReferences = null },
        Type = "Opaque",
        Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes("p@ss\u00e9") },
        StringData = new Dictionary<string, string> { ["username"] = "orders" },
        Immutable = true,
    };

    public static Lease Lease => new()
    {
        Metadata = Meta("sidepool-leader", "sidepool-system") with { OwnerReferences = null, Finalizers = null },
        Spec = new LeaseSpec { HolderIdentity = "sidepool-operator-0", LeaseDurationSeconds = 15, AcquireTime = Created.AddTicks(1234560), RenewTime = Created.AddTicks(7654320), LeaseTransitions = 4 },
    };

    public static Event Event => new()
    {
        Metadata = Meta("web.17f3", "shop") with { OwnerReferences = null, Finalizers = null },
        EventTime = Created.AddTicks(5),
        ReportingController = "sidepool.io/operator",
        ReportingInstance = "sidepool-operator-0",
        Action = "Inject",
        Reason = "SidecarInjected",
        Type = "Normal",
        Note = "Injected PgBouncer 1.23",
        Regarding = new ObjectReference { ApiVersion = "v1", Kind = "Pod", Namespace = "shop", Name = "web-7d9f-abcde", Uid = "u", ResourceVersion = "1", FieldPath = "spec.initContainers{pgbouncer}" },
        Related = new ObjectReference { ApiVersion = "sidepool.io/v1alpha1", Kind = "ConnectionPool", Namespace = "shop", Name = "orders" },
        Series = new EventSeries { Count = 2, LastObservedTime = Created },
    };

    private static WebhookClientConfig ClientConfig => new()
    {
        Service = new ServiceReference { Namespace = "sidepool-system", Name = "sidepool-webhook", Path = "/mutate-pods", Port = 443 },
        CaBundle = Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
    };

    private static RuleWithOperations PodCreate => new() { Operations = ["CREATE"], ApiGroups = [""], ApiVersions = ["v1"], Resources = ["pods"], Scope = "Namespaced" };

    public static MutatingWebhookConfiguration MutatingWebhookConfiguration => new()
    {
        Metadata = Meta("sidepool", null) with { OwnerReferences = null, Finalizers = null },
        Webhooks =
        [
            new MutatingWebhook
            {
                Name = "pods.sidepool.io",
                ClientConfig = ClientConfig,
                Rules = [PodCreate],
                FailurePolicy = "Ignore",
                MatchPolicy = "Equivalent",
                SideEffects = "None",
                TimeoutSeconds = 5,
                AdmissionReviewVersions = ["v1"],
                ReinvocationPolicy = "Never",
                NamespaceSelector = new LabelSelector { MatchExpressions = [new LabelSelectorRequirement { Key = "kubernetes.io/metadata.name", Operator = "NotIn", Values = ["kube-system", "sidepool-system"] }] },
                ObjectSelector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["sidepool.io/inject"] = "true" } },
                MatchConditions = [new MatchCondition { Name = "not-operator", Expression = "request.userInfo.username != 'system:serviceaccount:sidepool-system:sidepool'" }],
            },
        ],
    };

    public static ValidatingWebhookConfiguration ValidatingWebhookConfiguration => new()
    {
        Metadata = Meta("sidepool", null) with { OwnerReferences = null, Finalizers = null },
        Webhooks =
        [
            new ValidatingWebhook
            {
                Name = "connectionpools.sidepool.io",
                ClientConfig = new WebhookClientConfig { Url = "https://sidepool.example/validate", CaBundle = [1, 2, 3] },
                Rules = [new RuleWithOperations { Operations = ["CREATE", "UPDATE"], ApiGroups = ["sidepool.io"], ApiVersions = ["v1alpha1"], Resources = ["connectionpools"], Scope = "*" }],
                FailurePolicy = "Fail",
                MatchPolicy = "Equivalent",
                SideEffects = "None",
                TimeoutSeconds = 10,
                AdmissionReviewVersions = ["v1"],
                NamespaceSelector = new LabelSelector(),
                ObjectSelector = new LabelSelector(),
                MatchConditions = [new MatchCondition { Name = "always", Expression = "true" }],
            },
        ],
    };

    public static CustomResourceDefinition CustomResourceDefinition => new()
    {
        Metadata = Meta("connectionpools.sidepool.io", null) with { OwnerReferences = null, Finalizers = null },
        Spec = new CustomResourceDefinitionSpec
        {
            Group = "sidepool.io",
            Scope = "Namespaced",
            Names = new CustomResourceDefinitionNames { Plural = "connectionpools", Singular = "connectionpool", Kind = "ConnectionPool", ListKind = "ConnectionPoolList", ShortNames = ["cpool"], Categories = ["sidepool"] },
            Versions =
            [
                new CustomResourceDefinitionVersion
                {
                    Name = "v1alpha1",
                    Served = true,
                    Storage = true,
                    Deprecated = false,
                    Subresources = new CustomResourceSubresources { Status = new CustomResourceSubresourceStatus() },
                    AdditionalPrinterColumns = [new CustomResourceColumnDefinition { Name = "Ready", Type = "string", JsonPath = ".status.conditions[?(@.type==\"Ready\")].status", Description = "Ready", Priority = 0 }, new CustomResourceColumnDefinition { Name = "Age", Type = "date", JsonPath = ".metadata.creationTimestamp", Format = "date-time" }],
                    Schema = new CustomResourceValidation
                    {
                        OpenAPIV3Schema = JsonDocument.Parse("""
                            {"type":"object","required":["spec"],"properties":{
                              "spec":{"type":"object","properties":{
                                "poolMode":{"type":"string","enum":["session","transaction","statement"],"default":"transaction"},
                                "defaultPoolSize":{"type":"integer","format":"int32","minimum":1,"maximum":10000},
                                "selector":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
                                "port":{"x-kubernetes-int-or-string":true},
                                "databases":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":{"type":"object","required":["name"],"properties":{"name":{"type":"string","maxLength":63,"pattern":"^[a-z0-9_]+$"}}}}},
                                "x-kubernetes-validations":[{"rule":"self.defaultPoolSize <= 10000","message":"too big"}]},
                              "status":{"type":"object","properties":{"observedGeneration":{"type":"integer","format":"int64"},"conditions":{"type":"array","items":{"type":"object","additionalProperties":true}}}}}}
                            """).RootElement.Clone(),
                    },
                },
            ],
        },
        Status = new CustomResourceDefinitionStatus
        {
            Conditions = [new CustomResourceDefinitionCondition { Type = "Established", Status = "True", LastTransitionTime = Created, Reason = "InitialNamesAccepted", Message = "the initial names have been accepted" }],
            AcceptedNames = new CustomResourceDefinitionNames { Plural = "connectionpools", Kind = "ConnectionPool" },
            StoredVersions = ["v1alpha1"],
        },
    };

    public static Status Status => new()
    {
        Metadata = new ListMeta(),
        Outcome = "Failure",
        Message = "ConnectionPool.sidepool.io \"orders\" is invalid",
        Reason = "Invalid",
        Code = 422,
        Details = new StatusDetails { Name = "orders", Group = "sidepool.io", Kind = "ConnectionPool", Uid = "u", RetryAfterSeconds = 1, Causes = [new StatusCause { Reason = "FieldValueInvalid", Message = "must be positive", Field = "spec.defaultPoolSize" }] },
    };

    public static DeleteOptions DeleteOptions => new()
    {
        PropagationPolicy = "Background",
        GracePeriodSeconds = 30,
        Preconditions = new Preconditions { Uid = "u", ResourceVersion = "7" },
        DryRun = ["All"],
    };

    /// <summary>Each model, its serialized JSON, and the schema it must satisfy.</summary>
    public static IEnumerable<(string Name, string Json, string Schema)> All()
    {
        var json = KubernetesJsonContext.Default;
        yield return ("Pod", JsonSerializer.Serialize(Pod, json.Pod), "io.k8s.api.core.v1.Pod");
        yield return ("Deployment", JsonSerializer.Serialize(Deployment, json.Deployment), "io.k8s.api.apps.v1.Deployment");
        yield return ("ReplicaSet", JsonSerializer.Serialize(ReplicaSet, json.ReplicaSet), "io.k8s.api.apps.v1.ReplicaSet");
        yield return ("StatefulSet", JsonSerializer.Serialize(StatefulSet, json.StatefulSet), "io.k8s.api.apps.v1.StatefulSet");
        yield return ("DaemonSet", JsonSerializer.Serialize(DaemonSet, json.DaemonSet), "io.k8s.api.apps.v1.DaemonSet");
        yield return ("Job", JsonSerializer.Serialize(Job, json.Job), "io.k8s.api.batch.v1.Job");
        yield return ("Namespace", JsonSerializer.Serialize(Namespace, json.Namespace), "io.k8s.api.core.v1.Namespace");
        yield return ("Node", JsonSerializer.Serialize(Node, json.Node), "io.k8s.api.core.v1.Node");
        yield return ("ConfigMap", JsonSerializer.Serialize(ConfigMap, json.ConfigMap), "io.k8s.api.core.v1.ConfigMap");
        yield return ("Secret", JsonSerializer.Serialize(Secret, json.Secret), "io.k8s.api.core.v1.Secret");
        yield return ("Lease", JsonSerializer.Serialize(Lease, json.Lease), "io.k8s.api.coordination.v1.Lease");
        yield return ("Event", JsonSerializer.Serialize(Event, json.Event), "io.k8s.api.events.v1.Event");
        yield return ("MutatingWebhookConfiguration", JsonSerializer.Serialize(MutatingWebhookConfiguration, json.MutatingWebhookConfiguration), "io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration");
        yield return ("ValidatingWebhookConfiguration", JsonSerializer.Serialize(ValidatingWebhookConfiguration, json.ValidatingWebhookConfiguration), "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration");
        yield return ("CustomResourceDefinition", JsonSerializer.Serialize(CustomResourceDefinition, json.CustomResourceDefinition), "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition");
        yield return ("Status", JsonSerializer.Serialize(Status, json.Status), "io.k8s.apimachinery.pkg.apis.meta.v1.Status");
        yield return ("DeleteOptions", JsonSerializer.Serialize(DeleteOptions, json.DeleteOptions), "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    }
}
