using System.Net.Http.Headers;
using System.Text;

namespace SidePool.Kubernetes.Auth;

/// <summary>HTTP basic auth (kubeconfig <c>username</c>/<c>password</c>).</summary>
public sealed class BasicAuthProvider(string username, string password) : IAuthenticationProvider
{
    private readonly AuthenticationHeaderValue _header = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    public ValueTask<AuthenticationHeaderValue?> GetAuthorizationAsync(CancellationToken cancellationToken) => ValueTask.FromResult<AuthenticationHeaderValue?>(_header);

    public bool Invalidate() => false;

    public override string ToString() => "BasicAuthProvider(<redacted>)";
}
