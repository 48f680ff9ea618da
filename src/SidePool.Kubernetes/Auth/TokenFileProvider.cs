using System.Net.Http.Headers;

namespace SidePool.Kubernetes.Auth;

/// <summary>
/// A bearer token read from a file and re-read every <c>refreshInterval</c> (default one minute), since projected
/// service-account tokens rotate. A 401 forces a re-read. Used for kubeconfig <c>tokenFile</c> and in-cluster.
/// </summary>
public sealed class TokenFileProvider : IAuthenticationProvider
{
    private readonly string _path;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private AuthenticationHeaderValue? _header;
    private long _readAt;

    public TokenFileProvider(string path, TimeSpan? refreshInterval = null, TimeProvider? timeProvider = null)
    {
        _path = path;
        _refreshInterval = refreshInterval ?? TimeSpan.FromMinutes(1);
        _time = timeProvider ?? TimeProvider.System;
    }

    public async ValueTask<AuthenticationHeaderValue?> GetAuthorizationAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_header is not null && _time.GetElapsedTime(_readAt) < _refreshInterval)
            {
                return _header;
            }
        }

        string token;
        try
        {
            token = (await File.ReadAllTextAsync(_path, cancellationToken)).Trim();
        }
        catch (IOException ex)
        {
            throw new KubernetesConfigException($"Cannot read the token file '{_path}': {ex.GetType().Name}.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new KubernetesConfigException($"Cannot read the token file '{_path}': access denied.", ex);
        }

        if (token.Length == 0)
        {
            throw new KubernetesConfigException($"The token file '{_path}' is empty.");
        }

        var header = new AuthenticationHeaderValue("Bearer", token);
        lock (_gate)
        {
            _header = header;
            _readAt = _time.GetTimestamp();
        }

        return header;
    }

    public bool Invalidate()
    {
        lock (_gate)
        {
            _header = null;
        }

        return true;
    }

    public override string ToString() => $"TokenFileProvider({_path})";
}
