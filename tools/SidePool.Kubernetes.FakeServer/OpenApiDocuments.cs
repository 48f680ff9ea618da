using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Minimal OpenAPI v3: the root index (<c>/openapi/v3</c>) and one document per group/version listing the resource paths
/// with their operations, <c>x-kubernetes-group-version-kind</c> and query parameters (incl. <c>fieldValidation</c>),
/// but no schemas. That is what kubectl needs to see that the server validates fields itself (server-side validation),
/// so <c>kubectl apply</c> works with validation on. <c>/openapi/v2</c> is not served (404), as kubectl tolerates.
/// </summary>
internal static class OpenApiDocuments
{
    private static readonly string[] WriteParameters = ["dryRun", "fieldManager", "fieldValidation", "pretty"];

    public static JsonObject? Serve(string[] segments, ResourceRegistry registry)
    {
        var definitions = registry.All();
        switch (segments)
        {
            case ["openapi", "v3"]:
                {
                    var paths = new JsonObject();
                    foreach (var groupVersion in definitions.Select(d => d.ApiVersion).Distinct().Order(StringComparer.Ordinal))
                    {
                        var relative = groupVersion.Contains('/', StringComparison.Ordinal) ? $"apis/{groupVersion}" : $"api/{groupVersion}";
                        var hash = Hash(Document(groupVersion, definitions));
                        paths[relative] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{relative}?hash={hash}" };
                    }

                    return new JsonObject { ["paths"] = paths };
                }

            case ["openapi", "v3", "api", var version]:
                return Found(Document(version, definitions));
            case ["openapi", "v3", "apis", var group, var version]:
                return Found(Document($"{group}/{version}", definitions));
            default:
                return null;
        }
    }

    private static JsonObject? Found(JsonObject document) => document["paths"] is JsonObject { Count: > 0 } ? document : null;

    private static string Hash(JsonObject document) =>
        Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(document.ToJsonString())));

    private static JsonObject Document(string groupVersion, IReadOnlyList<ResourceDefinition> definitions)
    {
        var paths = new JsonObject();
        foreach (var d in definitions.Where(d => d.ApiVersion == groupVersion).OrderBy(d => d.Plural, StringComparer.Ordinal))
        {
            var prefix = d.Group.Length == 0 ? $"/api/{d.Version}" : $"/apis/{d.Group}/{d.Version}";
            var collection = d.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{d.Plural}" : $"{prefix}/{d.Plural}";
            paths[collection] = new JsonObject
            {
                ["get"] = Operation(d, "list", ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch"]),
                ["post"] = Operation(d, "post", WriteParameters),
                ["delete"] = Operation(d, "deletecollection", ["labelSelector", "fieldSelector", "dryRun"]),
            };
            var item = new JsonObject
            {
                ["get"] = Operation(d, "get", []),
                ["put"] = Operation(d, "put", WriteParameters),
                ["patch"] = Operation(d, "patch", [.. WriteParameters, "force"]),
                ["delete"] = Operation(d, "delete", ["dryRun", "propagationPolicy"]),
            };
            paths[collection + "/{name}"] = item;
            if (d.HasStatusSubresource)
            {
                paths[collection + "/{name}/status"] = new JsonObject
                {
                    ["get"] = Operation(d, "get", []),
                    ["put"] = Operation(d, "put", WriteParameters),
                    ["patch"] = Operation(d, "patch", [.. WriteParameters, "force"]),
                };
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "unversioned" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static JsonObject Operation(ResourceDefinition definition, string action, string[] queryParameters)
    {
        var parameters = new JsonArray();
        foreach (var name in queryParameters)
        {
            parameters.Add(new JsonObject
            {
                ["name"] = name,
                ["in"] = "query",
                ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
            });
        }

        return new JsonObject
        {
            ["operationId"] = $"{action}{definition.Kind}",
            ["parameters"] = parameters,
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = new JsonObject
            {
                ["group"] = definition.Group,
                ["kind"] = definition.Kind,
                ["version"] = definition.Version,
            },
        };
    }
}
