namespace SidePool.Kubernetes.FakeServer;

/// <summary>The resource types the server currently serves. Thread-safe.</summary>
internal sealed class ResourceRegistry
{
    private readonly Lock _lock = new();
    private readonly List<ResourceDefinition> _definitions = [];

    public void Register(ResourceDefinition definition)
    {
        lock (_lock)
        {
            _definitions.RemoveAll(d => d.Group == definition.Group && d.Version == definition.Version && d.Plural == definition.Plural);
            _definitions.Add(definition);
        }
    }

    /// <summary>Removes every version of <c>plural.group</c>.</summary>
    public void Unregister(string group, string plural)
    {
        lock (_lock)
        {
            _definitions.RemoveAll(d => d.Group == group && d.Plural == plural);
        }
    }

    public ResourceDefinition? Find(string group, string version, string plural)
    {
        lock (_lock)
        {
            return _definitions.Find(d => d.Group == group && d.Version == version && d.Plural == plural);
        }
    }

    /// <summary>Finds a resource of a group by kind (any served version), for ownerReferences and CRD lookups.</summary>
    public ResourceDefinition? FindByKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? string.Empty : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        lock (_lock)
        {
            return _definitions.Find(d => d.Group == group && d.Version == version && d.Kind == kind)
                ?? _definitions.Find(d => d.Group == group && d.Kind == kind);
        }
    }

    public IReadOnlyList<ResourceDefinition> All()
    {
        lock (_lock)
        {
            return _definitions.ToList();
        }
    }

    /// <summary>One definition per stored resource (the first registered version).</summary>
    public IReadOnlyList<ResourceDefinition> StorageDefinitions()
    {
        lock (_lock)
        {
            return _definitions.GroupBy(d => d.StorageKey).Select(g => g.First()).ToList();
        }
    }
}
