using System.Text.Json;
using System.Text.Json.Serialization;

namespace SidePool.Demo;

/// <summary>
/// One JSON line the load generator (<c>tools/SidePool.LoadGen</c>) writes: <c>stats</c> every second (cumulative
/// counts), <c>failure</c> for each failed transaction, <c>final</c> when it stops.
/// </summary>
internal sealed record LoadgenEvent
{
    public string Kind { get; init; } = "";

    public DateTimeOffset Time { get; init; }

    public long Ok { get; init; }

    public long Failed { get; init; }

    public string? Error { get; init; }

    public string? SqlState { get; init; }

    /// <summary>The event in <paramref name="line"/>, or null when the line is not one (other log output).</summary>
    public static LoadgenEvent? Parse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(line, DemoJsonContext.Default.LoadgenEvent) is { Kind.Length: > 0 } e ? e : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(LoadgenEvent))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
