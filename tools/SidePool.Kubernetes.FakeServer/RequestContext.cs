using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Who makes a write and what it collects on the way: <see cref="UserInfo"/> (<c>authentication/v1 UserInfo</c> JSON,
/// sent to admission webhooks) and the warnings webhooks return (answered as <c>Warning</c> headers).
/// </summary>
internal sealed record RequestContext(JsonObject UserInfo, WarningCollector Warnings)
{
    /// <summary>
    /// Whether the write came through the HTTP API (and is authorized when RBAC is on); the server's own controllers'
    /// writes are not.
    /// </summary>
    public bool ViaApi { get; init; }

    /// <summary>A service account identity, as the controllers in kube-controller-manager run.</summary>
    public static RequestContext ServiceAccount(string @namespace, string name) => new(
        new JsonObject
        {
            ["username"] = $"system:serviceaccount:{@namespace}:{name}",
            ["uid"] = StableUid($"{@namespace}/{name}"),
            ["groups"] = new JsonArray("system:serviceaccounts", $"system:serviceaccounts:{@namespace}", "system:authenticated"),
        },
        new WarningCollector());

    /// <summary>A node identity, as a kubelet authenticates.</summary>
    public static RequestContext Node(string nodeName) => new(
        new JsonObject
        {
            ["username"] = $"system:node:{nodeName}",
            ["groups"] = new JsonArray("system:nodes", "system:authenticated"),
        },
        new WarningCollector());

    private static string StableUid(string seed)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
