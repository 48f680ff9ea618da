namespace SidePool.Kubernetes.Models;

/// <summary>
/// <c>v1 Secret</c>. <see cref="Data"/> values are raw bytes (base64 on the wire); <see cref="StringData"/> is write-only.
/// <see cref="ToString"/> never prints values.
/// </summary>
public sealed record Secret : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "v1";
    public string? Kind { get; init; } = "Secret";
    public ObjectMeta? Metadata { get; init; }
    public string? Type { get; init; }
    public IReadOnlyDictionary<string, byte[]>? Data { get; init; }
    public IReadOnlyDictionary<string, string>? StringData { get; init; }
    public bool? Immutable { get; init; }

    public override string ToString() =>
        $"Secret {{ Namespace = {Metadata?.Namespace}, Name = {Metadata?.Name}, Type = {Type}, Keys = [{string.Join(", ", (Data?.Keys ?? []).Concat(StringData?.Keys ?? []))}] }}";
}
