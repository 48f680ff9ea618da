using System.Net.Http.Headers;

namespace SidePool.Kubernetes.Auth;

/// <summary>A fixed bearer token (kubeconfig <c>token</c>).</summary>
public sealed class StaticTokenProvider(string token) : IAuthenticationProvider
{
    private readonly AuthenticationHeaderValue _header = new("Bearer", token);

    public ValueTask<AuthenticationHeaderValue?> GetAuthorizationAsync(CancellationToken cancellationToken) => ValueTask.FromResult<AuthenticationHeaderValue?>(_header);

    public bool Invalidate() => false;

    public override string ToString() => "StaticTokenProvider(<redacted>)";
}
