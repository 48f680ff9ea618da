namespace SidePool.Kubernetes.FakeServer;

/// <summary>Options of a write request (query parameters).</summary>
internal sealed record WriteOptions(string FieldManager, bool Force, bool DryRun)
{
    /// <summary><c>fieldValidation=Strict</c>: unknown fields are an error instead of being pruned.</summary>
    public bool StrictFieldValidation { get; init; }

    /// <summary>The <c>fieldManager</c> query parameter as sent (empty when the manager was derived from the User-Agent).</summary>
    public string? FieldManagerParameter { get; init; }
}

/// <summary>Delete options (body or query).</summary>
internal sealed record DeleteOptions(string? PropagationPolicy, string? PreconditionUid, string? PreconditionResourceVersion, bool DryRun)
{
    /// <summary><c>gracePeriodSeconds</c> (query or body); null = the object's default (a pod's <c>terminationGracePeriodSeconds</c>).</summary>
    public long? GracePeriodSeconds { get; init; }
}

/// <summary>List options (query parameters).</summary>
internal sealed record ListOptions(LabelSelector LabelSelector, FieldSelector FieldSelector, int Limit, string? Continue);

/// <summary>One page of a list.</summary>
internal sealed record ListPage(IReadOnlyList<JsonObjectItem> Items, string ResourceVersion, string? Continue, long? RemainingItemCount);

/// <summary>A listed object with its storage key.</summary>
internal sealed record JsonObjectItem(string Key, System.Text.Json.Nodes.JsonObject Object);
