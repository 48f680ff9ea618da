using System.Net.Http.Headers;

namespace SidePool.Kubernetes.Auth;

/// <summary>Supplies the Authorization header for each request. Implementations never log or print the credential.</summary>
public interface IAuthenticationProvider
{
    /// <summary>The header to send, or null for none (client-certificate only).</summary>
    ValueTask<AuthenticationHeaderValue?> GetAuthorizationAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called after a 401. Returns true if a fresh credential may now be obtained (the request is then retried once);
    /// false if retrying cannot help.
    /// </summary>
    bool Invalidate();
}
