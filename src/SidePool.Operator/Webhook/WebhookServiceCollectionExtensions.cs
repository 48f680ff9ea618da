using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Operator.Certificates;

namespace SidePool.Operator.Webhook;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Registers the webhook: <see cref="PodAdmissionHandler"/>, <see cref="WebhookMetrics"/>,
    /// <see cref="WebhookCertificateProvider"/> with its <see cref="CertificateRenewalService"/>, and defaults for
    /// <see cref="IAdmissionEventRecorder"/> (Kubernetes events) and, in self-signed mode,
    /// <see cref="ICertificateStore"/> (a Secret) — both need an <see cref="IKubernetesClient"/> unless registered
    /// before. The host must register an <see cref="IPoolSource"/>.
    /// </summary>
    public static IServiceCollection AddSidePoolWebhook(this IServiceCollection services, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(options.Certificates);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WebhookMetrics>();
        services.TryAddSingleton<PodAdmissionHandler>();
        services.TryAddSingleton<IAdmissionEventRecorder, KubernetesAdmissionEventRecorder>();
        if (options.Certificates.Mode == CertificateMode.SelfSigned)
        {
            services.TryAddSingleton<ICertificateStore>(sp => new KubernetesSecretCertificateStore(
                sp.GetRequiredService<IKubernetesClient>(), options.Certificates.Namespace, options.Certificates.SecretName));
        }

        services.TryAddSingleton(sp => new WebhookCertificateProvider(
            options.Certificates,
            sp.GetService<ICertificateStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WebhookCertificateProvider>>()));
        services.AddHostedService<CertificateRenewalService>();
        return services;
    }
}
