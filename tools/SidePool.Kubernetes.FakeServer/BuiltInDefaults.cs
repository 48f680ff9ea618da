using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// The few built-in defaulting rules the fake applies on writes (and again after a mutating webhook's patch): Secret
/// <c>type: Opaque</c> and <c>stringData</c> folded into <c>data</c>; the webhook defaults of <c>MutatingWebhookConfiguration</c>
/// (<c>failurePolicy: Fail</c>, <c>matchPolicy: Equivalent</c>, empty selectors, <c>timeoutSeconds: 10</c>,
/// <c>reinvocationPolicy: Never</c>, rule <c>scope: "*"</c>, service <c>port: 443</c>); the top-level spec defaults of
/// Deployments (replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600), StatefulSets
/// (replicas 1, OrderedReady, RollingUpdate with partition 0, revisionHistoryLimit 10) and ReplicaSets (replicas 1).
/// Pod templates and pods are not defaulted.
/// </summary>
internal static class BuiltInDefaults
{
    public static void Apply(ResourceDefinition definition, JsonObject obj)
    {
        if (definition.Group == "admissionregistration.k8s.io" && definition.Plural == "mutatingwebhookconfigurations")
        {
            DefaultMutatingWebhooks(obj);
            return;
        }

        if (definition.Group == "apps" && obj["spec"] is JsonObject spec)
        {
            switch (definition.Plural)
            {
                case "deployments":
                    DefaultDeployment(spec);
                    return;
                case "statefulsets":
                    DefaultStatefulSet(spec);
                    return;
                case "replicasets":
                    Default(spec, "replicas", () => 1);
                    return;
            }
        }

        if (definition.Group.Length != 0 || definition.Plural != "secrets")
        {
            return;
        }

        if (obj["type"] is null)
        {
            obj["type"] = "Opaque";
        }

        if (obj["stringData"] is JsonObject stringData)
        {
            if (obj["data"] is not JsonObject data)
            {
                data = new JsonObject();
                obj["data"] = data;
            }

            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonNodes.ToPlainString(value)));
            }

            obj.Remove("stringData");
        }
    }

    /// <summary>The apps/v1 Deployment defaults (the pod template is not defaulted).</summary>
    private static void DefaultDeployment(JsonObject spec)
    {
        Default(spec, "replicas", () => 1);
        Default(spec, "strategy", () => new JsonObject { ["type"] = "RollingUpdate" });
        if (spec["strategy"] is JsonObject strategy && JsonNodes.GetString(strategy, "type") == "RollingUpdate")
        {
            Default(strategy, "rollingUpdate", () => new JsonObject());
            Default(strategy["rollingUpdate"]!.AsObject(), "maxUnavailable", () => "25%");
            Default(strategy["rollingUpdate"]!.AsObject(), "maxSurge", () => "25%");
        }

        Default(spec, "revisionHistoryLimit", () => 10);
        Default(spec, "progressDeadlineSeconds", () => 600);
    }

    /// <summary>The apps/v1 StatefulSet defaults (the pod template is not defaulted).</summary>
    private static void DefaultStatefulSet(JsonObject spec)
    {
        Default(spec, "replicas", () => 1);
        Default(spec, "podManagementPolicy", () => "OrderedReady");
        Default(spec, "updateStrategy", () => new JsonObject { ["type"] = "RollingUpdate" });
        if (spec["updateStrategy"] is JsonObject strategy && JsonNodes.GetString(strategy, "type") == "RollingUpdate")
        {
            Default(strategy, "rollingUpdate", () => new JsonObject());
            Default(strategy["rollingUpdate"]!.AsObject(), "partition", () => 0);
        }

        Default(spec, "revisionHistoryLimit", () => 10);
        Default(spec, "persistentVolumeClaimRetentionPolicy", () => new JsonObject { ["whenDeleted"] = "Retain", ["whenScaled"] = "Retain" });
    }

    private static void DefaultMutatingWebhooks(JsonObject configuration)
    {
        foreach (var hook in (configuration["webhooks"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            Default(hook, "failurePolicy", () => "Fail");
            Default(hook, "matchPolicy", () => "Equivalent");
            Default(hook, "namespaceSelector", () => new JsonObject());
            Default(hook, "objectSelector", () => new JsonObject());
            Default(hook, "timeoutSeconds", () => 10);
            Default(hook, "reinvocationPolicy", () => "Never");
            foreach (var rule in (hook["rules"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                Default(rule, "scope", () => "*");
            }

            if (hook["clientConfig"]?["service"] is JsonObject service)
            {
                Default(service, "port", () => 443);
            }
        }
    }

    private static void Default(JsonObject obj, string property, Func<JsonNode> value)
    {
        if (obj[property] is null)
        {
            obj[property] = value();
        }
    }
}
