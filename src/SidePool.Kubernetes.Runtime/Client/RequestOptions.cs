namespace SidePool.Kubernetes.Client;

/// <summary>Options of a list (and the selector of a deletecollection).</summary>
public sealed record ListOptions
{
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    /// <summary>Page size; the server returns <c>metadata.continue</c> when more remain.</summary>
    public int? Limit { get; init; }
    public string? Continue { get; init; }
    public string? ResourceVersion { get; init; }
    /// <summary>Exact or NotOlderThan.</summary>
    public string? ResourceVersionMatch { get; init; }
    public int? TimeoutSeconds { get; init; }
}

/// <summary>Options of a watch.</summary>
public sealed record WatchOptions
{
    public string? ResourceVersion { get; init; }
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    public bool AllowWatchBookmarks { get; init; }
    /// <summary>The server closes the stream normally after this many seconds.</summary>
    public int? TimeoutSeconds { get; init; }
}

/// <summary>Options of a create or replace.</summary>
public sealed record WriteOptions
{
    public string? FieldManager { get; init; }
    /// <summary>Ignore, Warn or Strict.</summary>
    public string? FieldValidation { get; init; }
    public bool DryRun { get; init; }
}

/// <summary>Options of a patch.</summary>
public sealed record PatchOptions
{
    /// <summary>Required for server-side apply.</summary>
    public string? FieldManager { get; init; }
    /// <summary>Server-side apply only: take ownership of conflicting fields.</summary>
    public bool? Force { get; init; }
    public string? FieldValidation { get; init; }
    public bool DryRun { get; init; }
}
