namespace SidePool.Kubernetes.Client;

/// <summary>Where a kind lives in the API: group ("" for core), version, plural and whether it is namespaced.</summary>
public sealed record ApiResource(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    /// <summary><c>v1</c> for the core group, <c>group/version</c> otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}
