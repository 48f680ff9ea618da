namespace SidePool.Kubernetes.FakeServer;

/// <summary>A resource type served by the fake API server.</summary>
/// <param name="Group">API group; empty for the core group.</param>
/// <param name="Version">Served version, e.g. <c>v1</c>.</param>
/// <param name="Kind">Kind, e.g. <c>ConfigMap</c>.</param>
/// <param name="Plural">Resource name in URLs, e.g. <c>configmaps</c>.</param>
/// <param name="Singular">Singular name, e.g. <c>configmap</c>.</param>
/// <param name="Namespaced">Whether objects live in a namespace.</param>
/// <param name="ShortNames">kubectl short names.</param>
/// <param name="Categories">Categories such as <c>all</c>.</param>
/// <param name="HasStatusSubresource">Whether <c>/status</c> is a separate subresource.</param>
public sealed record ResourceDefinition(
    string Group,
    string Version,
    string Kind,
    string Plural,
    string Singular,
    bool Namespaced,
    IReadOnlyList<string>? ShortNames = null,
    IReadOnlyList<string>? Categories = null,
    bool HasStatusSubresource = false)
{
    /// <summary>Printer columns for the Table output (besides Name). <c>null</c> = Age only.</summary>
    public IReadOnlyList<PrinterColumn>? PrinterColumns { get; init; }

    /// <summary>Whether <c>metadata.generation</c> is maintained for this resource.</summary>
    public bool TracksGeneration { get; init; } = true;

    /// <summary>Whether the resource was registered by a CustomResourceDefinition (no strategic merge patch, update needs resourceVersion).</summary>
    public bool IsCustomResource { get; init; }

    /// <summary>The <c>/scale</c> subresource, if the resource has one.</summary>
    public ScaleSubresource? Scale { get; init; }

    /// <summary>The CRD version's <c>openAPIV3Schema</c>, used for pruning and defaulting.</summary>
    internal System.Text.Json.Nodes.JsonObject? OpenApiSchema { get; init; }

    /// <summary><c>group/version</c>, or just <c>version</c> for the core group.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    internal string StorageKey => $"{Plural}.{Group}";
}

/// <summary>A Table column: <paramref name="JsonPath"/> uses the CRD <c>additionalPrinterColumns</c> JSONPath subset.</summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath, string Description = "", int Priority = 0, string Format = "")
{
    /// <summary>A cell computed from the object and the time (a built-in printer, e.g. a pod's READY and STATUS) instead of <see cref="JsonPath"/>.</summary>
    public Func<System.Text.Json.Nodes.JsonObject, DateTimeOffset, System.Text.Json.Nodes.JsonNode?>? Compute { get; init; }
}
