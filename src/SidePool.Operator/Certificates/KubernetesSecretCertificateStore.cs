using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;

namespace SidePool.Operator.Certificates;

/// <summary>Keeps the self-signed certificates in a <c>kubernetes.io/tls</c> Secret (optimistic concurrency).</summary>
public sealed class KubernetesSecretCertificateStore(IKubernetesClient client, string @namespace, string secretName) : ICertificateStore
{
    private readonly IResourceClient<Secret> _secrets = client.Resource(KubernetesResources.Secrets);

    public async Task<StoredCertificates?> ReadAsync(CancellationToken cancellationToken)
    {
        var secret = await _secrets.TryGetAsync(secretName, @namespace, cancellationToken).ConfigureAwait(false);
        return secret is null ? null : new StoredCertificates(secret.Data is null ? new Dictionary<string, byte[]>() : new Dictionary<string, byte[]>(secret.Data), secret.Metadata?.ResourceVersion);
    }

    public async Task<bool> WriteAsync(IReadOnlyDictionary<string, byte[]> data, string? resourceVersion, CancellationToken cancellationToken)
    {
        var secret = new Secret
        {
            Metadata = new ObjectMeta
            {
                Name = secretName,
                NamespaceProperty = @namespace,
                ResourceVersion = resourceVersion,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "sidepool-operator", ["sidepool.dev/component"] = "webhook-tls" },
            },
            Type = "kubernetes.io/tls",
            Data = new Dictionary<string, byte[]>(data),
        };
        try
        {
            if (resourceVersion is null)
            {
                await _secrets.CreateAsync(secret, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _secrets.ReplaceAsync(secret, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception exception) when (exception is KubernetesConflictException or KubernetesAlreadyExistsException)
        {
            return false;
        }
    }
}
