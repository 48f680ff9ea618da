using System.Text.Json.Serialization;

namespace SidePool.Api;

/// <summary>The <c>ConnectionPool</c> custom resource (<c>sidepool.dev/v1alpha1</c>).</summary>
public sealed record ConnectionPool : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = Naming.ApiVersion;

    public string Kind { get; set; } = Naming.Kind;

    public ObjectMeta Metadata { get; set; } = new();

    public ConnectionPoolSpec? Spec { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ConnectionPoolStatus? Status { get; set; }
}
