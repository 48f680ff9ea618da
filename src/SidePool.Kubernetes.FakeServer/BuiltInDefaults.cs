using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>The few built-in defaulting rules the fake applies on writes: Secret <c>type: Opaque</c> and <c>stringData</c> folded into <c>data</c>.</summary>
internal static class BuiltInDefaults
{
    public static void Apply(ResourceDefinition definition, JsonObject obj)
    {
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
}
