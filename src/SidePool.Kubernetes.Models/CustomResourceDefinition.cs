using System.Text.Json;

namespace SidePool.Kubernetes.Models;

/// <summary><c>apiextensions.k8s.io/v1 CustomResourceDefinition</c>. The OpenAPI schema is kept as raw JSON.</summary>
public sealed record CustomResourceDefinition : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "apiextensions.k8s.io/v1";
    public string? Kind { get; init; } = "CustomResourceDefinition";
    public ObjectMeta? Metadata { get; init; }
    public required CustomResourceDefinitionSpec Spec { get; init; }
    public CustomResourceDefinitionStatus? Status { get; init; }
}

/// <summary><c>CustomResourceDefinitionSpec</c>: scope is Namespaced or Cluster.</summary>
public sealed record CustomResourceDefinitionSpec
{
    public required string Group { get; init; }
    public required CustomResourceDefinitionNames Names { get; init; }
    public required string Scope { get; init; }
    public required IReadOnlyList<CustomResourceDefinitionVersion> Versions { get; init; }
}

/// <summary><c>CustomResourceDefinitionNames</c>.</summary>
public sealed record CustomResourceDefinitionNames
{
    public required string Plural { get; init; }
    public required string Kind { get; init; }
    public string? Singular { get; init; }
    public string? ListKind { get; init; }
    public IReadOnlyList<string>? ShortNames { get; init; }
    public IReadOnlyList<string>? Categories { get; init; }
}

/// <summary><c>CustomResourceDefinitionVersion</c>.</summary>
public sealed record CustomResourceDefinitionVersion
{
    public required string Name { get; init; }
    public required bool Served { get; init; }
    public required bool Storage { get; init; }
    public bool? Deprecated { get; init; }
    public string? DeprecationWarning { get; init; }
    public CustomResourceValidation? Schema { get; init; }
    public CustomResourceSubresources? Subresources { get; init; }
    public IReadOnlyList<CustomResourceColumnDefinition>? AdditionalPrinterColumns { get; init; }
}

/// <summary><c>CustomResourceValidation</c>: <c>openAPIV3Schema</c> as raw JSON (a JSONSchemaProps document).</summary>
public sealed record CustomResourceValidation
{
    public JsonElement? OpenAPIV3Schema { get; init; }
}

/// <summary><c>CustomResourceSubresources</c>: presence of <see cref="Status"/> enables <c>/status</c>.</summary>
public sealed record CustomResourceSubresources
{
    public CustomResourceSubresourceStatus? Status { get; init; }
}

/// <summary>An empty object: its presence enables the status subresource.</summary>
public sealed record CustomResourceSubresourceStatus;

/// <summary><c>CustomResourceColumnDefinition</c>.</summary>
public sealed record CustomResourceColumnDefinition
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string JsonPath { get; init; }
    public string? Description { get; init; }
    public string? Format { get; init; }
    public int? Priority { get; init; }
}

/// <summary><c>CustomResourceDefinitionStatus</c>.</summary>
public sealed record CustomResourceDefinitionStatus
{
    public IReadOnlyList<CustomResourceDefinitionCondition>? Conditions { get; init; }
    public CustomResourceDefinitionNames? AcceptedNames { get; init; }
    public IReadOnlyList<string>? StoredVersions { get; init; }
}

/// <summary><c>CustomResourceDefinitionCondition</c> (type Established, NamesAccepted, ...).</summary>
public sealed record CustomResourceDefinitionCondition
{
    public required string Type { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? LastTransitionTime { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
}
