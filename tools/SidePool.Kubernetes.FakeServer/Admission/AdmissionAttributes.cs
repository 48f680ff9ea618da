using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>One write as the admission chain sees it (CREATE or UPDATE of a resource or subresource).</summary>
internal sealed record AdmissionAttributes
{
    public required ResourceDefinition Definition { get; init; }

    /// <summary>Empty for the main resource, else <c>status</c> or <c>scale</c>.</summary>
    public string Subresource { get; init; } = string.Empty;

    /// <summary><c>CREATE</c> or <c>UPDATE</c>.</summary>
    public required string Operation { get; init; }

    public string? Namespace { get; init; }

    /// <summary>The object's name; empty on a create that uses <c>generateName</c>.</summary>
    public string? Name { get; init; }

    /// <summary>The object being admitted, in the request's version.</summary>
    public required JsonObject Object { get; init; }

    public JsonObject? OldObject { get; init; }

    public bool DryRun { get; init; }

    /// <summary><c>CreateOptions</c>, <c>UpdateOptions</c> or <c>PatchOptions</c> (meta.k8s.io/v1).</summary>
    public required JsonObject Options { get; init; }

    /// <summary>The kind of <see cref="Object"/> when it is not the resource's own (the <c>autoscaling/v1 Scale</c> of <c>/scale</c>).</summary>
    public GroupVersionKindName? ObjectKind { get; init; }

    /// <summary>Defaulting the server applies to an object a webhook patched (built-in defaults, CRD schema defaults and pruning).</summary>
    public Action<JsonObject>? Default { get; init; }
}

/// <summary>A group, version and kind.</summary>
internal sealed record GroupVersionKindName(string Group, string Version, string Kind)
{
    public JsonObject ToJson() => new() { ["group"] = Group, ["version"] = Version, ["kind"] = Kind };
}
