using System.Text.Json.Serialization;

namespace SidePool.Rendering;

/// <summary>
/// <c>sidepool.json</c>: what the agent needs to know about the files beside it. The agent reads it with its
/// own source-generated model; this is the contract.
/// </summary>
public sealed record AgentConfig
{
    public required string PoolName { get; init; }

    public required string Version { get; init; }

    public required string ConfigRevision { get; init; }

    public required int ListenPort { get; init; }

    public required string SocketDirectory { get; init; }

    public required string AdminUser { get; init; }

    public required AgentProbe Probe { get; init; }

    public required IReadOnlyDictionary<string, string> RestartSettings { get; init; }
}

/// <summary>The database and user the agent's readiness check connects as, through the local pooler.</summary>
public sealed record AgentProbe(string Database, string User);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(AgentConfig))]
internal sealed partial class RenderingJsonContext : JsonSerializerContext;
