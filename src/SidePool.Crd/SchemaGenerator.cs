using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using SidePool.Api;

namespace SidePool.Crd;

/// <summary>
/// Builds a structural OpenAPI v3 schema from the C# model: types from the property types, defaults from the
/// property initializers, and constraints and descriptions from the same attributes the validator reads.
/// </summary>
public static class SchemaGenerator
{
    private static readonly NullabilityInfoContext Nullability = new();

    public static JsonObject ForType(Type type, bool withDefaults)
    {
        if (type == typeof(LabelSelector))
        {
            return LabelSelectorSchema();
        }

        if (type == typeof(Condition))
        {
            return ConditionSchema();
        }

        var schema = new JsonObject { ["type"] = "object" };
        if (type.GetCustomAttribute<DescriptionAttribute>() is { } description)
        {
            schema["description"] = description.Description;
        }

        var defaults = withDefaults && type.GetConstructor(Type.EmptyTypes) is { } constructor ? constructor.Invoke(null) : null;
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var propertySchema = ForProperty(property, withDefaults);
            if (defaults is not null && property.GetValue(defaults) is { } value && DefaultOf(value, property) is { } defaultNode)
            {
                propertySchema["default"] = defaultNode;
            }

            properties[name] = propertySchema;
            if (property.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        schema["properties"] = properties;
        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        AddRules(schema, CrossFieldRules.On(type, null).Select(r => (r.Cel, r.Message)));
        return schema;
    }

    private static JsonObject ForProperty(PropertyInfo property, bool withDefaults)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        JsonObject schema;
        if (type == typeof(string))
        {
            schema = new JsonObject { ["type"] = "string" };
            if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
            {
                schema["enum"] = new JsonArray([.. allowed.Values.Select(v => JsonValue.Create((string)v!))]);
            }

            if (property.GetCustomAttribute<DurationAttribute>() is not null)
            {
                schema["pattern"] = Duration.Pattern;
            }
            else if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } pattern)
            {
                schema["pattern"] = pattern.Pattern;
            }

            if (property.GetCustomAttribute<MinLengthAttribute>() is { } min)
            {
                schema["minLength"] = min.Length;
            }

            if (property.GetCustomAttribute<MaxLengthAttribute>() is { } max)
            {
                schema["maxLength"] = max.Length;
            }
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            schema = new JsonObject { ["type"] = "integer", ["format"] = type == typeof(int) ? "int32" : "int64" };
            if (property.GetCustomAttribute<RangeAttribute>() is { } range)
            {
                schema["minimum"] = Convert.ToInt64(range.Minimum, CultureInfo.InvariantCulture);
                schema["maximum"] = Convert.ToInt64(range.Maximum, CultureInfo.InvariantCulture);
            }
        }
        else if (type == typeof(bool))
        {
            schema = new JsonObject { ["type"] = "boolean" };
        }
        else if (type == typeof(DateTimeOffset))
        {
            schema = new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }
        else if (typeof(IReadOnlyDictionary<string, string>).IsAssignableFrom(type))
        {
            var value = new JsonObject { ["type"] = "string" };
            if (property.GetCustomAttribute<QuantityMapAttribute>() is not null)
            {
                value["pattern"] = @"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";
            }
            else
            {
                value["pattern"] = Naming.SingleLinePattern;
            }

            schema = new JsonObject { ["type"] = "object", ["additionalProperties"] = value };
        }
        else if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var itemType = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
            schema = new JsonObject
            {
                ["type"] = "array",
                ["items"] = itemType == typeof(string)
                    ? new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", ["maxLength"] = 63 }
                    : ForType(itemType, withDefaults),
            };
            if (itemType == typeof(Condition))
            {
                schema["x-kubernetes-list-type"] = "map";
                schema["x-kubernetes-list-map-keys"] = new JsonArray("type");
            }
        }
        else
        {
            schema = ForType(type, withDefaults);
        }

        if (property.GetCustomAttribute<DescriptionAttribute>() is { } description)
        {
            schema["description"] = description.Description;
        }

        AddRules(schema, CrossFieldRules.On(property.DeclaringType!, property.Name).Select(r => (r.Cel, r.Message)));
        if (property.DeclaringType == typeof(PoolSettings) && property.Name == nameof(PoolSettings.Parameters))
        {
            var allowed = string.Join(", ", PgBouncerParameters.Allowed.Keys.Order(StringComparer.Ordinal).Select(k => $"'{k}'"));
            AddRules(schema, [($"self.all(k, k in [{allowed}])", "only allow-listed PgBouncer settings may be set (see docs/configuration.md)")]);
        }

        return schema;
    }

    private static JsonNode? DefaultOf(object value, PropertyInfo property) => value switch
    {
        string s => s,
        int i => i,
        bool b => b,
        IReadOnlyDictionary<string, string> map => map.Count == 0 ? new JsonObject() : null,
        IEnumerable list when !list.Cast<object>().Any() => new JsonArray(),
        IEnumerable => null,
        _ when property.PropertyType.Namespace == typeof(ConnectionPoolSpec).Namespace => new JsonObject(),
        _ => null,
    };

    private static void AddRules(JsonObject schema, IEnumerable<(string Rule, string Message)> rules)
    {
        var list = schema["x-kubernetes-validations"] as JsonArray ?? [];
        foreach (var (rule, message) in rules)
        {
            list.Add(new JsonObject { ["rule"] = rule, ["message"] = message });
        }

        if (list.Count > 0)
        {
            schema["x-kubernetes-validations"] = list;
        }
    }

    private static JsonObject LabelSelectorSchema() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["matchLabels"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } },
            ["matchExpressions"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["required"] = new JsonArray("key", "operator"),
                    ["properties"] = new JsonObject
                    {
                        ["key"] = new JsonObject { ["type"] = "string" },
                        ["operator"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("In", "NotIn", "Exists", "DoesNotExist") },
                        ["values"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
                    },
                },
            },
        },
        ["x-kubernetes-map-type"] = "atomic",
    };

    private static JsonObject ConditionSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "metav1.Condition.",
        ["required"] = new JsonArray("type", "status", "lastTransitionTime", "reason", "message"),
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string", ["maxLength"] = 316, ["pattern"] = @"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$" },
            ["status"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("True", "False", "Unknown") },
            ["observedGeneration"] = new JsonObject { ["type"] = "integer", ["format"] = "int64", ["minimum"] = 0 },
            ["lastTransitionTime"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            ["reason"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 1024, ["pattern"] = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$" },
            ["message"] = new JsonObject { ["type"] = "string", ["maxLength"] = 32768 },
        },
    };
}
