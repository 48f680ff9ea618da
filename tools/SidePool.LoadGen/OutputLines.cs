using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SidePool.LoadGen;

/// <summary>
/// First line: what runs. <c>target</c> is the URL without its password; <c>run</c> a random id that the
/// table's keys (<c>run/worker</c>) carry.
/// </summary>
internal sealed record StartLine(string Time, string Target, string Run, int Workers, int PauseMs, int ReconnectEvery)
{
    [JsonPropertyOrder(-1)]
    public string Kind => "start";
}

/// <summary>
/// Every second: cumulative transactions committed (<c>ok</c>), attempts that failed (<c>failed</c>: login,
/// table creation or transaction) and logins that succeeded (<c>connects</c>).
/// </summary>
internal sealed record StatsLine(string Time, long Ok, long Failed, long Connects)
{
    [JsonPropertyOrder(-1)]
    public string Kind => "stats";
}

/// <summary>
/// One failed attempt, written when it happens. <c>sqlstate</c> is the server's SQLSTATE, null when the failure
/// did not come from the server (refused connection, timeout, broken socket); <c>phase</c> is <c>connect</c>,
/// <c>setup</c> (the table) or <c>transaction</c>.
/// </summary>
internal sealed record FailureLine(string Time, string Error, string? Sqlstate, int Worker, string Phase)
{
    [JsonPropertyOrder(-1)]
    public string Kind => "failure";
}

/// <summary>Last line, after a signal and the running transactions: the final counts and the run's length.</summary>
internal sealed record FinalLine(string Time, long Ok, long Failed, long Connects, double Seconds)
{
    [JsonPropertyOrder(-1)]
    public string Kind => "final";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StartLine))]
[JsonSerializable(typeof(StatsLine))]
[JsonSerializable(typeof(FailureLine))]
[JsonSerializable(typeof(FinalLine))]
internal sealed partial class OutputJson : JsonSerializerContext;

/// <summary>Writes one JSON object per line, whole lines only, from any thread.</summary>
internal sealed class JsonLineWriter(TextWriter output)
{
    private readonly Lock _gate = new();

    /// <summary>RFC 3339 in UTC with milliseconds: <c>2026-12-02T04:30:00.123Z</c>.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Serialize<T>(T line, JsonTypeInfo<T> type) => JsonSerializer.Serialize(line, type);

    public void Write<T>(T line, JsonTypeInfo<T> type)
    {
        var text = Serialize(line, type) + "\n";
        lock (_gate)
        {
            output.Write(text);
            output.Flush();
        }
    }
}
