using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SidePool.Contract;

/// <summary>
/// A share delivered by the operator (<c>PUT /budget</c>): at most <see cref="Share"/> server connections per database
/// entry. <see cref="Epoch"/> only grows: an agent refuses an epoch older than the one it applied.
/// </summary>
public sealed record BudgetRequest
{
    public long Epoch { get; init; }

    public int Share { get; init; }
}

/// <summary>What an agent applied (the answer to <c>GET</c> and <c>PUT /budget</c>).</summary>
public sealed record BudgetState
{
    /// <summary>The epoch of the share in force; 0 before the first delivery.</summary>
    public long Epoch { get; init; }

    /// <summary>Server connections per database entry PgBouncer may open; 0 = not admitted (PgBouncer is paused).</summary>
    public int Share { get; init; }

    /// <summary>Database entries the share applies to (2 with a read-only host).</summary>
    public int Entries { get; init; }

    /// <summary>Server connections PgBouncer holds now, over every entry (SHOW POOLS: active, idle, used, tested, login).</summary>
    public int Servers { get; init; }

    /// <summary>The pod's servers are within <see cref="Share"/> x <see cref="Entries"/>.</summary>
    public bool Settled { get; init; }
}

/// <summary>Signing and parsing of the budget messages, shared by the operator and the agent.</summary>
public static class BudgetMessages
{
    /// <summary>The per-version budget key: HMAC-SHA-256 of the version hash under the pool key, base64url.</summary>
    public static string DeriveKey(byte[] poolKey, string version) =>
        Convert.ToBase64String(HMACSHA256.HashData(poolKey, Encoding.UTF8.GetBytes(VersionContract.Budget.KeyPurpose + "\n" + version)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Hex HMAC-SHA-256 of <paramref name="payload"/> under <paramref name="key"/> (the key's UTF-8 bytes).</summary>
    public static string Sign(string key, ReadOnlySpan<byte> payload) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), payload));

    /// <summary>Constant-time check of a signature.</summary>
    public static bool Verify(string key, ReadOnlySpan<byte> payload, string? signature)
    {
        if (signature is null || signature.Length != 64)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(key, payload));
        var given = Encoding.ASCII.GetBytes(signature.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>What a GET signs: the method and path, so a GET signature cannot be replayed as a PUT body.</summary>
    public static byte[] GetPayload => Encoding.UTF8.GetBytes("GET " + VersionContract.Budget.Path);

    public static string ToJson(BudgetRequest request) => JsonSerializer.Serialize(request, BudgetJson.Default.BudgetRequest);

    public static string ToJson(BudgetState state) => JsonSerializer.Serialize(state, BudgetJson.Default.BudgetState);

    /// <summary>Parses a request; throws <see cref="JsonException"/> on anything else.</summary>
    public static BudgetRequest ParseRequest(string json) =>
        JsonSerializer.Deserialize(json, BudgetJson.Default.BudgetRequest) ?? throw new JsonException("null budget request");

    public static BudgetState ParseState(string json) =>
        JsonSerializer.Deserialize(json, BudgetJson.Default.BudgetState) ?? throw new JsonException("null budget state");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(BudgetRequest))]
[JsonSerializable(typeof(BudgetState))]
public sealed partial class BudgetJson : JsonSerializerContext;
