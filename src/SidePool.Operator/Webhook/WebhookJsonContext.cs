using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SidePool.Operator.Webhook;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonArray))]
[JsonSerializable(typeof(AdmissionReview))]
public sealed partial class WebhookJsonContext : JsonSerializerContext;
