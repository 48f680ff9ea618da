using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Tests.Support;

/// <summary>Builders for test objects.</summary>
internal static class Objects
{
    public const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    public static JsonObject ConfigMap(string name, JsonObject? data = null, JsonObject? labels = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (labels is not null)
        {
            metadata["labels"] = labels;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = metadata,
            ["data"] = data ?? new JsonObject { ["key"] = "value" },
        };
    }

    public static JsonObject Crd(string plural, string kind, string group, bool statusSubresource = true, string scope = "Namespaced") => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = $"{plural}.{group}" },
        ["spec"] = new JsonObject
        {
            ["group"] = group,
            ["scope"] = scope,
            ["names"] = new JsonObject { ["kind"] = kind, ["plural"] = plural, ["singular"] = kind.ToLowerInvariant() },
            ["versions"] = new JsonArray(new JsonObject
            {
                ["name"] = "v1",
                ["served"] = true,
                ["storage"] = true,
                ["subresources"] = statusSubresource ? new JsonObject { ["status"] = new JsonObject() } : new JsonObject(),
                ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } },
                ["additionalPrinterColumns"] = new JsonArray(
                    new JsonObject { ["name"] = "Size", ["type"] = "integer", ["jsonPath"] = ".spec.size" },
                    new JsonObject { ["name"] = "Ready", ["type"] = "string", ["jsonPath"] = ".status.conditions[?(@.type==\"Ready\")].status" },
                    new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" }),
            }),
        },
    };

    /// <summary>Registers the <c>widgets.example.com</c> CRD through the API and returns the namespaced collection path.</summary>
    public static async Task<string> CreateWidgetCrdAsync(ApiClient api, bool statusSubresource = true)
    {
        await api.CreateAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd("widgets", "Widget", "example.com", statusSubresource));
        return "/apis/example.com/v1/namespaces/default/widgets";
    }

    public static JsonObject Widget(string name, int size) => new()
    {
        ["apiVersion"] = "example.com/v1",
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["size"] = size },
    };

    public static string Rv(JsonObject obj) => obj["metadata"]!["resourceVersion"]!.GetValue<string>();

    public static long Generation(JsonObject obj) => obj["metadata"]!["generation"]!.GetValue<long>();

    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; last: {(value is ApiResponse response ? response.Body["status"]?.ToJsonString() ?? response.Body.ToJsonString() : value?.ToString())}");
            }

            await Task.Delay(50);
        }
    }
}
