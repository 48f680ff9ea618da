namespace SidePool.Agent.Http;

/// <summary>A request to the health server: method, path (without the query), headers (names lower-cased) and body.</summary>
internal sealed record HttpRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}
