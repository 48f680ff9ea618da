namespace SidePool.Kubernetes.Client;

/// <summary>One HTTP call to the API server: method, path, sorted query, optional body. Bodies never appear in messages.</summary>
public sealed record KubernetesRequest
{
    public required HttpMethod Method { get; init; }
    public required string Path { get; init; }
    public IReadOnlyDictionary<string, string> Query { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    public byte[]? Body { get; init; }
    public string? ContentType { get; init; }
    /// <summary>Watches stream and have no timeout.</summary>
    public bool Streaming { get; init; }

    /// <summary>The path plus the query with keys sorted, as client-go encodes it.</summary>
    public string PathAndQuery
    {
        get
        {
            if (Query.Count == 0)
            {
                return Path;
            }

            var pairs = Query.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}");
            return $"{Path}?{string.Join('&', pairs)}";
        }
    }

    /// <summary>"GET /api/v1/..." for messages (no body, no headers).</summary>
    public string Describe() => $"{Method.Method} {Path}";
}
