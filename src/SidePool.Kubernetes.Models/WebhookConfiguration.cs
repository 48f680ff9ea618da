namespace SidePool.Kubernetes.Models;

/// <summary><c>admissionregistration.k8s.io/v1 MutatingWebhookConfiguration</c>.</summary>
public sealed record MutatingWebhookConfiguration : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "admissionregistration.k8s.io/v1";
    public string? Kind { get; init; } = "MutatingWebhookConfiguration";
    public ObjectMeta? Metadata { get; init; }
    public IReadOnlyList<MutatingWebhook>? Webhooks { get; init; }
}

/// <summary><c>admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration</c>.</summary>
public sealed record ValidatingWebhookConfiguration : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "admissionregistration.k8s.io/v1";
    public string? Kind { get; init; } = "ValidatingWebhookConfiguration";
    public ObjectMeta? Metadata { get; init; }
    public IReadOnlyList<ValidatingWebhook>? Webhooks { get; init; }
}

/// <summary><c>admissionregistration.k8s.io/v1 MutatingWebhook</c>.</summary>
public sealed record MutatingWebhook
{
    public required string Name { get; init; }
    public required WebhookClientConfig ClientConfig { get; init; }
    public required string SideEffects { get; init; }
    public required IReadOnlyList<string> AdmissionReviewVersions { get; init; }
    public IReadOnlyList<RuleWithOperations>? Rules { get; init; }
    public string? FailurePolicy { get; init; }
    public string? MatchPolicy { get; init; }
    public LabelSelector? NamespaceSelector { get; init; }
    public LabelSelector? ObjectSelector { get; init; }
    public int? TimeoutSeconds { get; init; }
    public string? ReinvocationPolicy { get; init; }
    public IReadOnlyList<MatchCondition>? MatchConditions { get; init; }
}

/// <summary><c>admissionregistration.k8s.io/v1 ValidatingWebhook</c>.</summary>
public sealed record ValidatingWebhook
{
    public required string Name { get; init; }
    public required WebhookClientConfig ClientConfig { get; init; }
    public required string SideEffects { get; init; }
    public required IReadOnlyList<string> AdmissionReviewVersions { get; init; }
    public IReadOnlyList<RuleWithOperations>? Rules { get; init; }
    public string? FailurePolicy { get; init; }
    public string? MatchPolicy { get; init; }
    public LabelSelector? NamespaceSelector { get; init; }
    public LabelSelector? ObjectSelector { get; init; }
    public int? TimeoutSeconds { get; init; }
    public IReadOnlyList<MatchCondition>? MatchConditions { get; init; }
}

/// <summary><c>admissionregistration.k8s.io/v1 WebhookClientConfig</c>: a URL or a service, and the CA bundle (PEM bytes).</summary>
public sealed record WebhookClientConfig
{
    public string? Url { get; init; }
    public ServiceReference? Service { get; init; }
    public byte[]? CaBundle { get; init; }
}

/// <summary><c>admissionregistration.k8s.io/v1 ServiceReference</c>.</summary>
public sealed record ServiceReference
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public string? Path { get; init; }
    public int? Port { get; init; }
}

/// <summary><c>admissionregistration.k8s.io/v1 RuleWithOperations</c>.</summary>
public sealed record RuleWithOperations
{
    public IReadOnlyList<string>? Operations { get; init; }
    public IReadOnlyList<string>? ApiGroups { get; init; }
    public IReadOnlyList<string>? ApiVersions { get; init; }
    public IReadOnlyList<string>? Resources { get; init; }
    public string? Scope { get; init; }
}

/// <summary><c>admissionregistration.k8s.io/v1 MatchCondition</c> (a CEL expression).</summary>
public sealed record MatchCondition
{
    public required string Name { get; init; }
    public required string Expression { get; init; }
}
