using SidePool.Api;
using SidePool.Core;

namespace SidePool.Operator.Controller;

/// <summary>
/// The pool's resources: validates the spec, makes sure its key and client Secrets exist, reads the Secrets it
/// references (from the cache) and renders the version it should run now (<see cref="PoolVersionBuilder"/>, pure).
/// </summary>
public sealed class DesiredVersionReader(ClusterView view, PoolSecretsWriter secrets, PoolControllerOptions options)
{
    public async Task<DesiredState> ReadAsync(ConnectionPool pool, string sidecarMode, CancellationToken cancellationToken)
    {
        var errors = ConnectionPoolValidator.Validate(pool);
        if (errors.Count > 0)
        {
            return DesiredState.Failed("InvalidSpec", string.Join("; ", errors.Select(e => e.ToString())));
        }

        if (SidecarImagePolicy.Refusal(PoolVersionBuilder.ImageOf(pool.Spec!, options.Injection), options.AllowedImagePrefixes) is { } refusal)
        {
            return DesiredState.Failed("ImageNotAllowed", refusal);
        }

        // A pool without resources of its own gets the operator's default ones, as if it had set them: they are part
        // of the version (a changed default rolls those pools) and of the spec stored with it (the webhook injects them).
        var spec = WithDefaultResources(pool.Spec!);
        var ns = pool.Metadata.NamespaceProperty!;
        try
        {
            var key = await secrets.EnsureKeyAsync(pool, cancellationToken);
            var clientPassword = await secrets.EnsureClientPasswordAsync(pool, cancellationToken);
            var referenced = new Dictionary<string, Secret?>(StringComparer.Ordinal);
            foreach (var secretName in CredentialsReader.ReferencedSecrets(pool.Spec))
            {
                var (known, secret) = await view.Referenced.GetAsync(ns, secretName, TimeSpan.FromSeconds(5), cancellationToken);
                if (!known)
                {
                    return DesiredState.Failed("SecretNotWatchedYet", $"Secret {secretName} is not watched yet; retrying") with { Key = key };
                }

                referenced[secretName] = secret;
            }

            var credentials = CredentialsReader.Read(spec, n => referenced.GetValueOrDefault(n));
            if (credentials.Credentials is not { } backend)
            {
                return DesiredState.Failed(credentials.Reason!, credentials.Message!) with { Key = key };
            }

            try
            {
                var client = new ClientCredentials(backend.Username, clientPassword);
                var rendered = PoolVersionBuilder.Build(pool.Metadata.Name!, spec, backend, client, key, options.Injection with { SidecarMode = sidecarMode }, sidecarMode);
                return new DesiredState { Desired = rendered, Spec = spec, Backend = backend, Key = key };
            }
            catch (InvalidManifestException ex)
            {
                return DesiredState.Failed("InvalidConfiguration", ex.Message) with { Backend = backend, Key = key };
            }
        }
        catch (PoolProblemException ex)
        {
            return DesiredState.Failed(ex.Reason, ex.Message);
        }
    }

    private ConnectionPoolSpec WithDefaultResources(ConnectionPoolSpec spec) =>
        options.DefaultSidecarResources is { } defaults && spec.Sidecar.Resources is { Requests: null or { Count: 0 }, Limits: null or { Count: 0 } }
            ? spec with { Sidecar = spec.Sidecar with { Resources = defaults } }
            : spec;
}

/// <summary>The version a pool renders to now, with the backend credentials and key it used, or why there is none.</summary>
public sealed record DesiredState
{
    public RenderedPool? Desired { get; init; }

    /// <summary>The spec <see cref="Desired"/> was rendered from (the pool's, with the operator's defaults applied).</summary>
    public ConnectionPoolSpec? Spec { get; init; }

    public PoolCredentials? Backend { get; init; }

    public PoolKey? Key { get; init; }

    /// <summary>CamelCase reason and a message without secret values.</summary>
    public (string Reason, string Message)? Problem { get; init; }

    public static DesiredState Failed(string reason, string message) => new() { Problem = (reason, message) };
}
