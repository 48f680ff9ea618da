using System.Text.Json;

namespace SidePool.Operator.Webhook;

/// <summary><c>admission.k8s.io/v1 AdmissionReview</c>: the request the API server sends a webhook and the response it expects.</summary>
public sealed record AdmissionReview
{
    public string? ApiVersion { get; init; } = "admission.k8s.io/v1";
    public string? Kind { get; init; } = "AdmissionReview";
    public AdmissionRequest? Request { get; init; }
    public AdmissionResponse? Response { get; init; }
}

/// <summary><c>admission.k8s.io/v1 AdmissionRequest</c>. Objects stay raw JSON so fields our models lack survive.</summary>
public sealed record AdmissionRequest
{
    public required string Uid { get; init; }
    public GroupVersionKind? Kind { get; init; }
    public GroupVersionResource? Resource { get; init; }
    public string? SubResource { get; init; }
    public GroupVersionKind? RequestKind { get; init; }
    public GroupVersionResource? RequestResource { get; init; }
    public string? RequestSubResource { get; init; }
    public string? Name { get; init; }
    public string? Namespace { get; init; }
    /// <summary>CREATE, UPDATE, DELETE or CONNECT.</summary>
    public string? Operation { get; init; }
    public UserInfo? UserInfo { get; init; }
    public JsonElement? Object { get; init; }
    public JsonElement? OldObject { get; init; }
    public bool? DryRun { get; init; }
    public JsonElement? Options { get; init; }
}

/// <summary><c>admission.k8s.io/v1 AdmissionResponse</c>. <see cref="Patch"/> is the JSON patch bytes (base64 on the wire).</summary>
public sealed record AdmissionResponse
{
    public required string Uid { get; init; }
    public required bool Allowed { get; init; }
    public Status? Status { get; init; }
    public byte[]? Patch { get; init; }
    /// <summary>Only <c>JSONPatch</c> exists.</summary>
    public string? PatchType { get; init; }
    public IReadOnlyDictionary<string, string>? AuditAnnotations { get; init; }
    public IReadOnlyList<string>? Warnings { get; init; }
}

/// <summary><c>metav1.GroupVersionKind</c>.</summary>
public sealed record GroupVersionKind
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
}

/// <summary><c>metav1.GroupVersionResource</c>.</summary>
public sealed record GroupVersionResource
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Resource { get; init; }
}

/// <summary><c>authentication/v1 UserInfo</c>.</summary>
public sealed record UserInfo
{
    public string? Username { get; init; }
    public string? Uid { get; init; }
    public IReadOnlyList<string>? Groups { get; init; }
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra { get; init; }
}
