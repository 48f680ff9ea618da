using System.Text.Json.Serialization;

namespace SidePool.Agent.Configuration;

/// <summary><c>sidepool.json</c>, written by the operator's renderer next to the PgBouncer files.</summary>
internal sealed record AgentSettings
{
    public string PoolName { get; init; } = "";

    public string Version { get; init; } = "";

    public string ConfigRevision { get; init; } = "";

    public int ListenPort { get; init; }

    public string SocketDirectory { get; init; } = "";

    public string AdminUser { get; init; } = "";

    public ProbeSettings? Probe { get; init; }

    public Dictionary<string, string> RestartSettings { get; init; } = [];
}

/// <summary>Who the readiness check connects as, through the local pooler.</summary>
internal sealed record ProbeSettings
{
    public string Database { get; init; } = "";

    public string User { get; init; } = "";
}

// RespectNullableAnnotations: a hand-edited "socketDirectory": null is invalid JSON for the contract, not a null later.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(AgentSettings))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
