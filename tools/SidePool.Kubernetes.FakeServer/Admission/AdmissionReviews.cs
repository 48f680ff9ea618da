using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>Builds <c>AdmissionRequest</c>s and reads <c>AdmissionResponse</c>s as kube-apiserver does.</summary>
internal static class AdmissionReviews
{
    /// <summary>
    /// The request for a webhook called with <paramref name="invoked"/> (the request's resource, or an equivalent version
    /// under <c>matchPolicy: Equivalent</c>; then <c>kind</c>/<c>resource</c> name that version and <c>requestKind</c>/<c>requestResource</c> the original).
    /// </summary>
    public static JsonObject Request(string uid, ResourceDefinition invoked, AdmissionAttributes attributes, RequestContext request)
    {
        var requested = attributes.Definition;
        var kind = attributes.ObjectKind ?? new GroupVersionKindName(invoked.Group, invoked.Version, invoked.Kind);
        var requestKind = attributes.ObjectKind ?? new GroupVersionKindName(requested.Group, requested.Version, requested.Kind);
        var result = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = kind.ToJson(),
            ["resource"] = Resource(invoked),
        };
        if (attributes.Subresource.Length > 0)
        {
            result["subResource"] = attributes.Subresource;
        }

        result["requestKind"] = requestKind.ToJson();
        result["requestResource"] = Resource(requested);
        if (attributes.Subresource.Length > 0)
        {
            result["requestSubResource"] = attributes.Subresource;
        }

        if (!string.IsNullOrEmpty(attributes.Name))
        {
            result["name"] = attributes.Name;
        }

        if (!string.IsNullOrEmpty(attributes.Namespace))
        {
            result["namespace"] = attributes.Namespace;
        }

        result["operation"] = attributes.Operation;
        result["userInfo"] = request.UserInfo.DeepClone();
        result["object"] = InVersion(attributes.Object, invoked, attributes.ObjectKind is null);
        result["oldObject"] = attributes.OldObject is null ? null : InVersion(attributes.OldObject, invoked, attributes.ObjectKind is null);
        result["dryRun"] = attributes.DryRun;
        result["options"] = attributes.Options.DeepClone();
        return result;
    }

    /// <summary>The apiserver's <c>VerifyAdmissionResponse</c>; returns <c>response</c> or throws a call error ("received invalid webhook response").</summary>
    public static JsonObject VerifyResponse(string webhookName, string version, string uid, JsonObject review)
    {
        var response = review["response"] as JsonObject ?? throw Invalid(webhookName, "webhook response was absent");
        var answeredUid = JsonNodes.GetString(response, "uid") ?? string.Empty;
        if (answeredUid != uid)
        {
            throw Invalid(webhookName, $"expected response.uid=\"{uid}\", got \"{answeredUid}\"");
        }

        if (version == "v1")
        {
            var apiVersion = JsonNodes.GetString(review, "apiVersion") ?? string.Empty;
            var kind = JsonNodes.GetString(review, "kind") ?? string.Empty;
            if (apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview")
            {
                var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
                var groupVersion = slash < 0 ? "/" + apiVersion : apiVersion;
                throw Invalid(webhookName, $"expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {groupVersion}, Kind={kind}");
            }
        }

        var patch = JsonNodes.GetString(response, "patch") ?? string.Empty;
        var patchType = JsonNodes.GetString(response, "patchType") ?? string.Empty;
        if (patch.Length > 0 || patchType.Length > 0)
        {
            if (patchType.Length == 0)
            {
                throw Invalid(webhookName, "webhook returned response.patch but not response.patchType");
            }

            if (patch.Length == 0)
            {
                throw Invalid(webhookName, "webhook returned response.patchType but not response.patch");
            }

            if (patchType != "JSONPatch")
            {
                throw Invalid(webhookName, $"webhook returned invalid response.patchType of \"{patchType}\"");
            }
        }

        return response;
    }

    /// <summary>
    /// A denial (<c>allowed: false</c>) as the apiserver words it: code 403 unless the webhook gave one,
    /// <c>&lt;resource&gt; "&lt;name|Unknown&gt;" is forbidden: admission webhook "x" denied the request: &lt;message&gt;</c>
    /// (<c>Internal error occurred: …</c> for code 500), reason Forbidden unless the webhook gave one.
    /// </summary>
    public static ApiException Rejection(string webhookName, AdmissionAttributes attributes, JsonObject? status)
    {
        var code = (int)(JsonNodes.GetInt64(status?["code"]) ?? 0);
        if (code == 0)
        {
            code = 403;
        }

        var deniedBy = $"admission webhook \"{webhookName}\" denied the request";
        var message = JsonNodes.GetString(status, "message");
        var reason = JsonNodes.GetString(status, "reason");
        var text = !string.IsNullOrEmpty(message) ? $"{deniedBy}: {message}"
            : !string.IsNullOrEmpty(reason) ? $"{deniedBy}: {reason}"
            : $"{deniedBy} without explanation";
        var name = string.IsNullOrEmpty(attributes.Name) ? "Unknown" : attributes.Name;
        var details = status?["details"] is JsonObject given ? given.DeepClone().AsObject() : null;
        if (details is null)
        {
            if (code == 500)
            {
                details = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = text }) };
            }
            else
            {
                details = new JsonObject { ["name"] = name };
                if (attributes.Definition.Group.Length > 0)
                {
                    details["group"] = attributes.Definition.Group;
                }

                details["kind"] = attributes.Definition.Plural;
            }
        }

        var prefix = code == 500 ? "Internal error occurred" : $"{ApiException.QualifiedResource(attributes.Definition)} \"{name}\" is forbidden";
        if (string.IsNullOrEmpty(reason))
        {
            reason = code == 500 ? "InternalError" : "Forbidden";
        }

        return new ApiException(code, reason, $"{prefix}: {text}", details);
    }

    private static JsonObject Resource(ResourceDefinition definition) =>
        new() { ["group"] = definition.Group, ["version"] = definition.Version, ["resource"] = definition.Plural };

    private static JsonObject InVersion(JsonObject obj, ResourceDefinition definition, bool setApiVersion)
    {
        var copy = obj.DeepClone().AsObject();
        if (setApiVersion)
        {
            copy["apiVersion"] = definition.ApiVersion;
        }

        return copy;
    }

    private static WebhookCallException Invalid(string webhookName, string why) =>
        new(webhookName, "received invalid webhook response: " + why);
}
