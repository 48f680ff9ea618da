using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Operator.Certificates;

namespace SidePool.Operator.Hosting;

/// <summary>
/// While leading: keeps the MutatingWebhookConfiguration's caBundle equal to the CA the webhook's certificate chains
/// to (self-signed and files modes; cert-manager's CA injector does it otherwise). Checked at the start of a term,
/// on every certificate change and periodically.
/// </summary>
public sealed class CaBundleKeeper(IKubernetesClient client, WebhookCertificateProvider certificates, OperatorOptions options, ILogger<CaBundleKeeper> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!certificates.ManagesCaBundle)
        {
            return;
        }

        using var changed = new SemaphoreSlim(0);
        void OnChanged(CertificateMaterial _) => changed.Release();
        certificates.Changed += OnChanged;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (certificates.CaBundlePem is { } pem)
                {
                    try
                    {
                        if (await CaBundlePatch.ApplyAsync(client, options.WebhookConfiguration, pem, cancellationToken))
                        {
                            logger.LogInformation("Updated the caBundle of MutatingWebhookConfiguration {Name}.", options.WebhookConfiguration);
                        }
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }
#pragma warning disable CA1031 // Retried at the next change or period.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        logger.LogWarning("Could not update the caBundle of MutatingWebhookConfiguration {Name}: {Message}", options.WebhookConfiguration, ex.Message);
                    }
                }

                try
                {
                    await changed.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            certificates.Changed -= OnChanged;
        }
    }
}
