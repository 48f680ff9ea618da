using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Tests.Support;

/// <summary>Builders for <c>MutatingWebhookConfiguration</c> objects and pods in webhook tests.</summary>
internal static class WebhookConfigurations
{
    public const string Configurations = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";

    public static JsonObject Configuration(string name, params JsonObject[] webhooks) => new()
    {
        ["apiVersion"] = "admissionregistration.k8s.io/v1",
        ["kind"] = "MutatingWebhookConfiguration",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["webhooks"] = new JsonArray(webhooks.Select(w => (JsonNode?)w).ToArray()),
    };

    /// <summary>A webhook on pod CREATE (change with the optional arguments or by editing the returned object).</summary>
    public static JsonObject Hook(string name, string url, string? caBundle, string failurePolicy = "Fail", string sideEffects = "None", string operations = "CREATE", string resources = "pods", int? timeoutSeconds = null)
    {
        var clientConfig = new JsonObject { ["url"] = url };
        if (caBundle is not null)
        {
            clientConfig["caBundle"] = caBundle;
        }

        var hook = new JsonObject
        {
            ["name"] = name,
            ["clientConfig"] = clientConfig,
            ["rules"] = new JsonArray(new JsonObject
            {
                ["operations"] = new JsonArray(operations.Split(',').Select(o => (JsonNode?)o).ToArray()),
                ["apiGroups"] = new JsonArray(string.Empty),
                ["apiVersions"] = new JsonArray("v1"),
                ["resources"] = new JsonArray(resources.Split(',').Select(o => (JsonNode?)o).ToArray()),
            }),
            ["failurePolicy"] = failurePolicy,
            ["sideEffects"] = sideEffects,
            ["admissionReviewVersions"] = new JsonArray("v1"),
        };
        if (timeoutSeconds is { } timeout)
        {
            hook["timeoutSeconds"] = timeout;
        }

        return hook;
    }

    public static JsonObject Pod(string? name = null, string? generateName = null, JsonObject? labels = null)
    {
        var metadata = new JsonObject();
        if (name is not null)
        {
            metadata["name"] = name;
        }

        if (generateName is not null)
        {
            metadata["generateName"] = generateName;
        }

        if (labels is not null)
        {
            metadata["labels"] = labels;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "app:1" }) },
        };
    }

    /// <summary>A JSON patch that adds one label (creating the labels map when missing) and, optionally, a container.</summary>
    public static JsonArray AddLabelPatch(JsonObject review, string key, string value, bool addSidecar = false)
    {
        var patch = new JsonArray();
        var labels = review["request"]!["object"]!["metadata"]!["labels"];
        if (labels is null)
        {
            patch.Add(new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels", ["value"] = new JsonObject() });
        }

        patch.Add(new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels/" + key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal), ["value"] = value });
        if (addSidecar)
        {
            patch.Add(new JsonObject
            {
                ["op"] = "add",
                ["path"] = "/spec/containers/-",
                ["value"] = new JsonObject { ["name"] = "pgbouncer", ["image"] = "pgbouncer:1.23" },
            });
        }

        return patch;
    }
}
