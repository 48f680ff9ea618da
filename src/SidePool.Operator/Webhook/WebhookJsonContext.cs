using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SidePool.Operator.Webhook;

[JsonSerializable(typeof(JsonArray))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
