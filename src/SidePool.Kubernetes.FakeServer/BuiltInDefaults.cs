using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// The few built-in defaulting rules the fake applies on writes (and again after a mutating webhook's patch): Secret
/// <c>type: Opaque</c> and <c>stringData</c> folded into <c>data</c>; the webhook defaults of <c>MutatingWebhookConfiguration</c>
/// (<c>failurePolicy: Fail</c>, <c>matchPolicy: Equivalent</c>, empty selectors, <c>timeoutSeconds: 10</c>,
/// <c>reinvocationPolicy: Never</c>, rule <c>scope: "*"</c>, service <c>port: 443</c>).
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
