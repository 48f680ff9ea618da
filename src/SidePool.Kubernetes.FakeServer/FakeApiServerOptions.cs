using System.Security.Cryptography.X509Certificates;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>Options for <see cref="FakeApiServer.StartAsync"/>.</summary>
public sealed record FakeApiServerOptions
{
    /// <summary>Server certificate (with private key). <c>null</c> serves plain http.</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    /// <summary>When set, every request must carry <c>Authorization: Bearer &lt;token&gt;</c>, otherwise 401.</summary>
    public string? RequiredBearerToken { get; init; }

    /// <summary>Require a TLS client certificate (any certificate is accepted; https only).</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>How many watch events are retained; watches from older resourceVersions get 410 Expired.</summary>
    public int WatchHistoryLimit { get; init; } = 10_000;

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> receives a BOOKMARK event.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);
}
