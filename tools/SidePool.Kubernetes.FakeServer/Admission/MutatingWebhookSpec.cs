using System.Globalization;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>One webhook of a stored <c>MutatingWebhookConfiguration</c>, with the API defaults filled in.</summary>
internal sealed record MutatingWebhookSpec
{
    /// <summary>Identifies the webhook for reinvocation: configuration name and index, as the apiserver does.</summary>
    public required string Uid { get; init; }

    public required string ConfigurationName { get; init; }

    public required string Name { get; init; }

    public string? Url { get; init; }

    public JsonObject? Service { get; init; }

    /// <summary>The decoded <c>caBundle</c> (PEM bytes) or null.</summary>
    public byte[]? CaBundle { get; init; }

    public required IReadOnlyList<JsonObject> Rules { get; init; }

    /// <summary><c>Fail</c> (default) or <c>Ignore</c>.</summary>
    public string FailurePolicy { get; init; } = "Fail";

    /// <summary><c>Equivalent</c> (default) or <c>Exact</c>.</summary>
    public string MatchPolicy { get; init; } = "Equivalent";

    public JsonObject? NamespaceSelector { get; init; }

    public JsonObject? ObjectSelector { get; init; }

    public string? SideEffects { get; init; }

    public int TimeoutSeconds { get; init; } = 10;

    public IReadOnlyList<string> AdmissionReviewVersions { get; init; } = [];

    /// <summary><c>Never</c> (default) or <c>IfNeeded</c>.</summary>
    public string ReinvocationPolicy { get; init; } = "Never";

    public IReadOnlyList<(string Name, string Expression)> MatchConditions { get; init; } = [];

    public bool IgnoresFailures => FailurePolicy == "Ignore";

    /// <summary>Reads the webhooks of one configuration, in order.</summary>
    public static IEnumerable<MutatingWebhookSpec> Read(JsonObject configuration)
    {
        var configurationName = JsonNodes.MetaString(configuration, "name") ?? string.Empty;
        if (configuration["webhooks"] is not JsonArray webhooks)
        {
            yield break;
        }

        for (var i = 0; i < webhooks.Count; i++)
        {
            if (webhooks[i] is not JsonObject hook)
            {
                continue;
            }

            var clientConfig = hook["clientConfig"] as JsonObject;
            byte[]? caBundle = null;
            if (JsonNodes.GetString(clientConfig, "caBundle") is { Length: > 0 } encoded)
            {
                try
                {
                    caBundle = Convert.FromBase64String(encoded);
                }
                catch (FormatException)
                {
                    caBundle = [];
                }
            }

            yield return new MutatingWebhookSpec
            {
                Uid = string.Create(CultureInfo.InvariantCulture, $"{configurationName}/{i}"),
                ConfigurationName = configurationName,
                Name = JsonNodes.GetString(hook, "name") ?? string.Empty,
                Url = JsonNodes.GetString(clientConfig, "url"),
                Service = clientConfig?["service"] as JsonObject,
                CaBundle = caBundle,
                Rules = (hook["rules"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [],
                FailurePolicy = JsonNodes.GetString(hook, "failurePolicy") ?? "Fail",
                MatchPolicy = JsonNodes.GetString(hook, "matchPolicy") ?? "Equivalent",
                NamespaceSelector = hook["namespaceSelector"] as JsonObject,
                ObjectSelector = hook["objectSelector"] as JsonObject,
                SideEffects = JsonNodes.GetString(hook, "sideEffects"),
                TimeoutSeconds = (int)(JsonNodes.GetInt64(hook["timeoutSeconds"]) ?? 10),
                AdmissionReviewVersions = (hook["admissionReviewVersions"] as JsonArray)?.Select(JsonNodes.ToPlainString).ToList() ?? [],
                ReinvocationPolicy = JsonNodes.GetString(hook, "reinvocationPolicy") ?? "Never",
                MatchConditions = (hook["matchConditions"] as JsonArray)?.OfType<JsonObject>()
                    .Select(c => (JsonNodes.GetString(c, "name") ?? string.Empty, JsonNodes.GetString(c, "expression") ?? string.Empty))
                    .ToList() ?? [],
            };
        }
    }
}
