using System.Text.Json;
using System.Text.Json.Serialization;

namespace SidePool.Contract;

/// <summary>
/// <c>sidepool.json</c> (<see cref="VersionContract.Files.Agent"/>): what the agent needs to know about the files beside
/// it. The renderer writes it, the agent reads it; both use this model and <see cref="AgentConfigJson"/>.
/// </summary>
public sealed record AgentConfig
{
    public string PoolName { get; init; } = "";

    public string Version { get; init; } = "";

    public string ConfigRevision { get; init; } = "";

    public int ListenPort { get; init; }

    public string SocketDirectory { get; init; } = "";

    public string AdminUser { get; init; } = "";

    /// <summary>Who the readiness check connects as, through the local pooler.</summary>
    public AgentProbe? Probe { get; init; }

    /// <summary>Rendered values of the settings PgBouncer applies only at start (a change needs new pods).</summary>
    public IReadOnlyDictionary<string, string> RestartSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Present when the pool sets <c>backend.maxConnections</c>: the operator delivers this pod's share of the budget
    /// (<see cref="VersionContract.Budget"/>), and a pod that starts with it keeps PgBouncer paused until the
    /// first share arrives. Not part of the version hash (it is a file of the version Secret).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AgentBudget? Budget { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, AgentConfigJson.Default.AgentConfig);

    /// <summary>Parses <c>sidepool.json</c>; throws <see cref="JsonException"/> on invalid JSON or a null where the contract has none.</summary>
    public static AgentConfig? Parse(string json) => JsonSerializer.Deserialize(json, AgentConfigJson.Default.AgentConfig);
}

/// <summary>The database and user the agent's readiness check connects as, through the local pooler.</summary>
public sealed record AgentProbe
{
    public string Database { get; init; } = "";

    public string User { get; init; } = "";
}

/// <summary>The connection budget's settings of a version (see docs/budget.md).</summary>
public sealed record AgentBudget
{
    /// <summary>The key budget messages are signed with (<see cref="BudgetMessages.DeriveKey"/>): a secret.</summary>
    public string Key { get; init; } = "";

    public override string ToString() => "AgentBudget { Key = *** }";
}

// RespectNullableAnnotations: a hand-edited "socketDirectory": null is invalid JSON for the contract, not a null later.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(AgentConfig))]
public sealed partial class AgentConfigJson : JsonSerializerContext;
