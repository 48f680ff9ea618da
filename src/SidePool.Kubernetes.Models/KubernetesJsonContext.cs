using System.Text.Json.Serialization;

namespace SidePool.Kubernetes.Models;

/// <summary>
/// Source-generated JSON metadata for every model: camelCase, nulls omitted, RFC 3339 timestamps.
/// Custom resource projects declare their own context with the same options (see <see cref="KubernetesJsonDefaults"/>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Rfc3339TimeConverter)],
    UseStringEnumConverter = false)]
[JsonSerializable(typeof(Pod))]
[JsonSerializable(typeof(ReplicaSet))]
[JsonSerializable(typeof(Deployment))]
[JsonSerializable(typeof(StatefulSet))]
[JsonSerializable(typeof(DaemonSet))]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(Namespace))]
[JsonSerializable(typeof(Node))]
[JsonSerializable(typeof(ConfigMap))]
[JsonSerializable(typeof(Secret))]
[JsonSerializable(typeof(Lease))]
[JsonSerializable(typeof(Event))]
[JsonSerializable(typeof(MutatingWebhookConfiguration))]
[JsonSerializable(typeof(ValidatingWebhookConfiguration))]
[JsonSerializable(typeof(CustomResourceDefinition))]
[JsonSerializable(typeof(AdmissionReview))]
[JsonSerializable(typeof(Status))]
[JsonSerializable(typeof(DeleteOptions))]
[JsonSerializable(typeof(ListMeta))]
[JsonSerializable(typeof(KubernetesList<Pod>))]
[JsonSerializable(typeof(KubernetesList<ReplicaSet>))]
[JsonSerializable(typeof(KubernetesList<Deployment>))]
[JsonSerializable(typeof(KubernetesList<StatefulSet>))]
[JsonSerializable(typeof(KubernetesList<DaemonSet>))]
[JsonSerializable(typeof(KubernetesList<Job>))]
[JsonSerializable(typeof(KubernetesList<Namespace>))]
[JsonSerializable(typeof(KubernetesList<Node>))]
[JsonSerializable(typeof(KubernetesList<ConfigMap>))]
[JsonSerializable(typeof(KubernetesList<Secret>))]
[JsonSerializable(typeof(KubernetesList<Lease>))]
[JsonSerializable(typeof(KubernetesList<Event>))]
[JsonSerializable(typeof(KubernetesList<MutatingWebhookConfiguration>))]
[JsonSerializable(typeof(KubernetesList<ValidatingWebhookConfiguration>))]
[JsonSerializable(typeof(KubernetesList<CustomResourceDefinition>))]
public sealed partial class KubernetesJsonContext : JsonSerializerContext;
