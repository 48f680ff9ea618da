using System.Text.Json;
using System.Text.Json.Serialization;

namespace SidePool.Kubernetes.Models;

/// <summary>The serializer settings every Kubernetes JSON context should use, for contexts built at run time.</summary>
public static class KubernetesJsonDefaults
{
    /// <summary>Fresh options: camelCase, nulls omitted, RFC 3339 timestamps. Add a type info resolver before use.</summary>
    public static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new Rfc3339TimeConverter());
        return options;
    }
}
