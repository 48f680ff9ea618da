using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SidePool.Api;

/// <summary>
/// <c>metav1.Time</c>: RFC 3339 in UTC with whole seconds (<c>2024-01-02T03:04:05Z</c>), as the API server writes it.
/// Reads any RFC 3339 timestamp (offsets and fractions included).
/// </summary>
public sealed class Rfc3339TimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Rfc3339.Parse(reader.GetString());

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}

/// <summary>
/// <c>metav1.MicroTime</c> (Lease renewTime/acquireTime, Event eventTime): RFC 3339 in UTC with microseconds
/// (<c>2024-01-02T03:04:05.123456Z</c>).
/// </summary>
public sealed class Rfc3339MicroTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Rfc3339.Parse(reader.GetString());

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
}

/// <summary>Parsing shared by the time converters.</summary>
/// <summary>RFC 3339 for the <see cref="DateTime"/> fields of KubernetesClient's types (metadata timestamps), always UTC.</summary>
public sealed class Rfc3339DateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Rfc3339.Parse(reader.GetString()).UtcDateTime;

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}

public static class Rfc3339
{
    public static DateTimeOffset Parse(string? text)
    {
        if (text is null || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            throw new JsonException($"Not an RFC 3339 timestamp: '{text}'.");
        }

        return value;
    }
}
