using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SidePool.Testing;

/// <summary>
/// Checks JSON instances against the Kubernetes OpenAPI v3 documents: resolves <c>$ref</c>, follows <c>allOf</c>/
/// <c>oneOf</c>/<c>anyOf</c>, checks types, formats (date-time, byte, int32/int64), <c>required</c>, <c>enum</c>, and
/// reports every property a schema does not declare. Objects with neither <c>properties</c> nor
/// <c>additionalProperties</c> (RawExtension, FieldsV1, {}) are free-form. Also checks apiVersion/kind against
/// <c>x-kubernetes-group-version-kind</c> at the top.
/// </summary>
public sealed class OpenApiSchemaValidator
{
    private const string RefPrefix = "#/components/schemas/";
    private readonly Dictionary<string, JsonObject> _schemas = new(StringComparer.Ordinal);

    /// <summary>Loads every <c>*.json</c> below <paramref name="directory"/> (components.schemas are merged).</summary>
    public OpenApiSchemaValidator(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories))
        {
            var document = JsonNode.Parse(File.ReadAllText(file))!;
            foreach (var (name, schema) in document["components"]!["schemas"]!.AsObject())
            {
                _schemas.TryAdd(name, schema!.AsObject());
            }
        }
    }

    public int SchemaCount => _schemas.Count;

    public bool HasSchema(string name) => _schemas.ContainsKey(name);

    /// <summary>The schema whose <c>x-kubernetes-group-version-kind</c> is exactly this one, if any.</summary>
    public string? FindSchemaName(string group, string version, string kind) =>
        _schemas.Where(p => p.Value["x-kubernetes-group-version-kind"] is JsonArray gvks && gvks.Count == 1
                && gvks[0]!["group"]!.GetValue<string>() == group && gvks[0]!["version"]!.GetValue<string>() == version && gvks[0]!["kind"]!.GetValue<string>() == kind)
            .Select(p => p.Key)
            .FirstOrDefault();

    /// <summary>Every problem found, as <c>path: message</c>; empty when the instance is valid.</summary>
    public IReadOnlyList<string> Validate(string json, string schemaName)
    {
        var errors = new List<string>();
        var instance = JsonNode.Parse(json);
        var schema = Resolve(schemaName);
        CheckGroupVersionKind(instance, schema, errors);
        ValidateNode(instance, schema, "$", errors);
        return errors;
    }

    private JsonObject Resolve(string name) =>
        _schemas.TryGetValue(name, out var schema) ? schema : throw new KeyNotFoundException($"No schema '{name}' in the OpenAPI documents.");

    private static void CheckGroupVersionKind(JsonNode? instance, JsonObject schema, List<string> errors)
    {
        if (schema["x-kubernetes-group-version-kind"] is not JsonArray gvks || instance is not JsonObject obj)
        {
            return;
        }

        var apiVersion = obj["apiVersion"]?.GetValue<string>();
        var kind = obj["kind"]?.GetValue<string>();
        var matches = gvks.Any(g =>
        {
            var group = g!["group"]!.GetValue<string>();
            var expected = group.Length == 0 ? g["version"]!.GetValue<string>() : $"{group}/{g["version"]!.GetValue<string>()}";
            return expected == apiVersion && g["kind"]!.GetValue<string>() == kind;
        });
        if (!matches)
        {
            errors.Add($"$: apiVersion/kind '{apiVersion}'/'{kind}' does not match the schema's group-version-kind");
        }
    }

    private void ValidateNode(JsonNode? instance, JsonObject schema, string path, List<string> errors)
    {
        if (schema["$ref"] is JsonValue reference)
        {
            ValidateNode(instance, Resolve(reference.GetValue<string>()[RefPrefix.Length..]), path, errors);
            return;
        }

        if (schema["allOf"] is JsonArray allOf)
        {
            foreach (var part in allOf)
            {
                ValidateNode(instance, part!.AsObject(), path, errors);
            }
        }

        foreach (var alternativesKey in new[] { "oneOf", "anyOf" })
        {
            if (schema[alternativesKey] is JsonArray alternatives)
            {
                var anyValid = alternatives.Any(alternative =>
                {
                    var probe = new List<string>();
                    ValidateNode(instance, alternative!.AsObject(), path, probe);
                    return probe.Count == 0;
                });
                if (!anyValid)
                {
                    errors.Add($"{path}: matches none of the {alternativesKey} alternatives");
                }
            }
        }

        if (instance is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true && (schema["type"] is not null || schema["properties"] is not null))
            {
                errors.Add($"{path}: null is not allowed");
            }

            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, instance)))
        {
            errors.Add($"{path}: '{instance.ToJsonString()}' is not one of {allowed.ToJsonString()}");
        }

        var type = schema["type"]?.GetValue<string>();
        switch (type)
        {
            case "object":
                ValidateObject(instance, schema, path, errors);
                break;
            case "array":
                if (instance is not JsonArray array)
                {
                    errors.Add($"{path}: expected an array, got {Describe(instance)}");
                    break;
                }

                if (schema["items"] is JsonObject itemSchema)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        ValidateNode(array[i], itemSchema, $"{path}[{i}]", errors);
                    }
                }

                break;
            case "string":
                if (instance.GetValueKind() != JsonValueKind.String)
                {
                    errors.Add($"{path}: expected a string, got {Describe(instance)}");
                    break;
                }

                CheckStringFormat(instance.GetValue<string>(), schema["format"]?.GetValue<string>(), path, errors);
                break;
            case "integer":
                if (instance.GetValueKind() != JsonValueKind.Number || !long.TryParse(instance.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                {
                    errors.Add($"{path}: expected an integer, got {Describe(instance)}");
                }
                else if (schema["format"]?.GetValue<string>() == "int32" && integer is < int.MinValue or > int.MaxValue)
                {
                    errors.Add($"{path}: {integer} does not fit int32");
                }

                break;
            case "number":
                if (instance.GetValueKind() != JsonValueKind.Number)
                {
                    errors.Add($"{path}: expected a number, got {Describe(instance)}");
                }

                break;
            case "boolean":
                if (instance.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors.Add($"{path}: expected a boolean, got {Describe(instance)}");
                }

                break;
            case null:
                if (schema["properties"] is not null)
                {
                    ValidateObject(instance, schema, path, errors);
                }

                break;
            default:
                errors.Add($"{path}: the schema has an unknown type '{type}'");
                break;
        }
    }

    private void ValidateObject(JsonNode instance, JsonObject schema, string path, List<string> errors)
    {
        if (instance is not JsonObject obj)
        {
            errors.Add($"{path}: expected an object, got {Describe(instance)}");
            return;
        }

        foreach (var required in schema["required"]?.AsArray() ?? [])
        {
            var name = required!.GetValue<string>();
            if (!obj.ContainsKey(name))
            {
                errors.Add($"{path}: required property '{name}' is missing");
            }
        }

        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"];
        var freeForm = (properties is null && additional is null) || schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        foreach (var (name, value) in obj)
        {
            var childPath = $"{path}.{name}";
            if (properties is not null && properties[name] is JsonObject propertySchema)
            {
                ValidateNode(value, propertySchema, childPath, errors);
            }
            else if (additional is JsonObject additionalSchema)
            {
                ValidateNode(value, additionalSchema, childPath, errors);
            }
            else if (additional is JsonValue allowAny && allowAny.GetValue<bool>())
            {
            }
            else if (!freeForm)
            {
                errors.Add($"{childPath}: unknown property");
            }
        }
    }

    private static void CheckStringFormat(string value, string? format, string path, List<string> errors)
    {
        switch (format)
        {
            case "date-time":
                if (!System.Text.RegularExpressions.Regex.IsMatch(value, @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"))
                {
                    errors.Add($"{path}: '{value}' is not an RFC 3339 date-time");
                }

                break;
            case "byte":
                Span<byte> buffer = new byte[value.Length];
                if (!Convert.TryFromBase64String(value, buffer, out _))
                {
                    errors.Add($"{path}: not base64");
                }

                break;
        }
    }

    private static string Describe(JsonNode node) => node.GetValueKind().ToString();
}
