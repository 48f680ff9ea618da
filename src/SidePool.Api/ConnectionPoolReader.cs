using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SidePool.Api;

/// <summary>
/// Reads a <see cref="ConnectionPool"/> from JSON and validates it. Type mismatches and unknown fields become
/// <see cref="FieldError"/>s naming the field, never a serializer stack trace.
/// </summary>
public static partial class ConnectionPoolReader
{
    /// <summary>Deserializes and validates; throws <see cref="InvalidManifestException"/> naming the source and fields.</summary>
    public static ConnectionPool Read(JsonNode json, string source)
    {
        ConnectionPool? pool;
        try
        {
            pool = json.Deserialize(ApiJsonContext.Default.ConnectionPool);
        }
        catch (JsonException e)
        {
            throw new InvalidManifestException(source, [Translate(e)]);
        }

        if (pool is null)
        {
            throw new InvalidManifestException(source, [new("(document)", "is empty")]);
        }

        var errors = ConnectionPoolValidator.Validate(pool);
        return errors.Count == 0 ? pool : throw new InvalidManifestException(source, errors);
    }

    /// <summary>Turns a System.Text.Json error into a field error (path <c>$.spec.pool.size</c> → <c>spec.pool.size</c>).</summary>
    public static FieldError Translate(JsonException e)
    {
        var path = (e.Path ?? "$").TrimStart('$').TrimStart('.');
        var message = e.Message;
        if (UnmappedMember().Match(message) is { Success: true } unmapped)
        {
            var name = unmapped.Groups[1].Value;
            return new(path.Length == 0 ? name : path.EndsWith(name, StringComparison.Ordinal) ? path : $"{path}.{name}", "unknown field");
        }

        var expected = ConvertTarget().Match(message) is { Success: true } target ? target.Groups[1].Value : "";
        var what = expected switch
        {
            var t when t.StartsWith("System.Int", StringComparison.Ordinal) => "must be a whole number",
            "System.String" => "must be a string",
            "System.Boolean" => "must be true or false",
            "System.DateTimeOffset" => "must be a timestamp",
            var t when t.Contains("Dictionary", StringComparison.Ordinal) => "must be a map of strings",
            var t when t.Contains("List", StringComparison.Ordinal) => "must be a list",
            "" => "is not valid here",
            _ => "must be an object",
        };
        return new(path.Length == 0 ? "(document)" : path, what);
    }

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"could not be converted to ([^\s.]+(\.[^\s.]+)*)\.? ")]
    private static partial Regex ConvertTarget();
}
