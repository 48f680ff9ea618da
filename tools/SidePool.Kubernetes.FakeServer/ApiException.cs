using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>An API error that is answered with a <c>kind: Status</c> body.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null, int? retryAfterSeconds = null, string? innerMessage = null)
        : base(message, innerMessage is null ? null : new InvalidOperationException(innerMessage))
    {
        Code = code;
        Reason = reason;
        Details = details;
        RetryAfterSeconds = retryAfterSeconds;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public int? RetryAfterSeconds { get; }

    public JsonObject ToStatus() => StatusObjects.Failure(Code, Reason, Message, Details?.DeepClone().AsObject());

    public static ApiException NotFound(ResourceDefinition definition, string name) =>
        new(404, "NotFound", $"{QualifiedResource(definition)} \"{name}\" not found", DetailsFor(definition, name));

    public static ApiException AlreadyExists(ResourceDefinition definition, string name) =>
        new(409, "AlreadyExists", $"{QualifiedResource(definition)} \"{name}\" already exists", DetailsFor(definition, name));

    public static ApiException Conflict(ResourceDefinition definition, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {QualifiedResource(definition)} \"{name}\": {why}", DetailsFor(definition, name));

    public static ApiException StaleResourceVersion(ResourceDefinition definition, string name) =>
        Conflict(definition, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException Invalid(ResourceDefinition definition, string name, string field, string fieldMessage)
    {
        var details = DetailsFor(definition, name);
        details["kind"] = definition.Kind;
        details["causes"] = new JsonArray(new JsonObject
        {
            ["reason"] = "FieldValueInvalid",
            ["message"] = fieldMessage,
            ["field"] = field,
        });
        return new ApiException(422, "Invalid", $"{definition.Kind} \"{name}\" is invalid: {field}: {fieldMessage}", details);
    }

    /// <summary>
    /// apimachinery's <c>errors.NewForbidden</c>: <c>&lt;resource&gt;[.&lt;group&gt;] ["name"] is forbidden: &lt;reason&gt;</c>,
    /// details <c>{name, group, kind: resource}</c> (RBAC denials and admission plugins' refusals alike).
    /// </summary>
    public static ApiException Forbidden(string group, string resource, string? name, string reason)
    {
        var details = new JsonObject();
        if (name is not null)
        {
            details["name"] = name;
        }

        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = resource;
        var qualified = group.Length == 0 ? resource : $"{resource}.{group}";
        return new ApiException(403, "Forbidden", $"{(name is null ? qualified : $"{qualified} \"{name}\"")} is forbidden: {reason}", details);
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException UnsupportedMediaType(string message) => new(415, "UnsupportedMediaType", message);

    internal static string QualifiedResource(ResourceDefinition definition) =>
        definition.Group.Length == 0 ? definition.Plural : $"{definition.Plural}.{definition.Group}";

    private static JsonObject DetailsFor(ResourceDefinition definition, string name)
    {
        var details = new JsonObject { ["name"] = name };
        if (definition.Group.Length > 0)
        {
            details["group"] = definition.Group;
        }

        details["kind"] = definition.Plural;
        return details;
    }
}
