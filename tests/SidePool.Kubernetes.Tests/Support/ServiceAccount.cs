using System.Text.Json.Serialization;
using SidePool.Kubernetes.Models;

namespace SidePool.Kubernetes.Tests.Support;

/// <summary>A kind the models project does not define, with its own JSON context: proves the client takes any IKubernetesObject.</summary>
public sealed record ServiceAccount : IKubernetesObject
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    public ObjectMeta? Metadata { get; init; }
}

/// <summary>An object of the golden tests' made-up group <c>flops/v1alpha1</c>, resource <c>flips</c>.</summary>
public sealed record Flip : IKubernetesObject
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    public ObjectMeta? Metadata { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Rfc3339TimeConverter)])]
[JsonSerializable(typeof(ServiceAccount))]
[JsonSerializable(typeof(Flip))]
public sealed partial class TestJsonContext : JsonSerializerContext;

public static class TestResources
{
    public static ResourceType<ServiceAccount> ServiceAccounts { get; } =
        new(new ApiResource("", "v1", "serviceaccounts", "ServiceAccount", true), TestJsonContext.Default.ServiceAccount);

    public static ResourceType<Flip> Flips { get; } =
        new(new ApiResource("flops", "v1alpha1", "flips", "Flip", true), TestJsonContext.Default.Flip);
}
