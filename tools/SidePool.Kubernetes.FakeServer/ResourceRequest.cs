namespace SidePool.Kubernetes.FakeServer;

/// <summary>A request for a resource path, after routing.</summary>
internal sealed record ResourceRequest(ResourceDefinition Definition, string? Namespace, string? Name, string Subresource, string Verb)
{
    /// <summary>The resource as named by fault injection: plural, or plural/subresource.</summary>
    public string ResourceName => Subresource.Length == 0 ? Definition.Plural : $"{Definition.Plural}/{Subresource}";
}
