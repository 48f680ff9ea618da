using System.Text.Json;
using System.Text.Json.Serialization;

namespace SidePool.Api;

/// <summary>
/// System.Text.Json source generation for the API. Unknown fields are errors (a typo in a manifest must not
/// be silently ignored); nulls are omitted like Kubernetes does.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters = [typeof(Rfc3339TimeConverter), typeof(Rfc3339DateTimeConverter)],
    WriteIndented = false)]
[JsonSerializable(typeof(ConnectionPool))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(ConnectionPoolSpec))]
[JsonSerializable(typeof(ConnectionPoolStatus))]
public sealed partial class ApiJsonContext : JsonSerializerContext
{
    /// <summary>Like <see cref="Default"/> but tolerant of fields it does not know (objects read from a cluster).</summary>
    public static ApiJsonContext Lenient => LenientContext.Value;

    private static readonly Lazy<ApiJsonContext> LenientContext = new(() => new ApiJsonContext(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        Converters = { new Rfc3339TimeConverter(), new Rfc3339DateTimeConverter() },
    }));
}
