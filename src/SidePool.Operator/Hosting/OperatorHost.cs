using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Operator.Certificates;
using SidePool.Operator.Controller;
using SidePool.Operator.Telemetry;
using SidePool.Operator.Webhook;

namespace SidePool.Operator.Hosting;

/// <summary>
/// Builds the <c>sidepool-operator</c> process: the ConnectionPool controller (leader only), the pod-mutating webhook
/// (every replica, HTTPS on the webhook port) and <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c> (HTTP on the metrics port).
/// </summary>
public static class OperatorHost
{
    public static WebApplication Build(OperatorOptions options, IKubernetesClient client, Action<ILoggingBuilder>? logging = null)
    {
        if (SidecarImagePolicy.Refusal(options.DefaultImage, options.AllowedImagePrefixes) is not null)
        {
            throw new ArgumentException($"--default-image '{options.DefaultImage}' does not start with any --allowed-image-prefix ({string.Join(", ", options.AllowedImagePrefixes)})");
        }

        var builder = WebApplication.CreateSlimBuilder();
        if (options.LogLevel is { } level)
        {
            builder.Logging.SetMinimumLevel(level);
        }

        logging?.Invoke(builder.Logging);
        var operatorNamespace = options.OperatorNamespace ?? client.DefaultNamespace;
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton(TimeProvider.System);
        // One registry for the operator's and the webhook's metrics, without prometheus-net's default process metrics.
        builder.Services.AddSingleton(Prometheus.Metrics.NewCustomRegistry());
        builder.Services.AddSingleton<OperatorMetrics>();
        // One set of sidecar settings for the controller and the webhook: the version hashes what the webhook injects.
        var injection = new InjectionOptions
        {
            SidecarMode = options.SidecarMode == "classic" ? SidecarModes.Classic : SidecarModes.Native,
            DefaultImage = options.DefaultImage,
            AgentPort = options.AgentPort,
        };
        builder.Services.AddSingleton(new PoolControllerOptions
        {
            Namespaces = options.Namespaces,
            SidecarMode = options.SidecarMode,
            Injection = injection,
            StallTimeout = options.StallTimeout,
            LoadInterval = options.LoadInterval,
            Workers = options.Workers,
            Identity = options.Identity,
            RetiredSecretGrace = options.RetiredSecretGrace,
            AllowedImagePrefixes = options.AllowedImagePrefixes,
            DefaultSidecarResources = options.DefaultSidecarResources,
        });
        builder.Services.AddSingleton<PoolController>();
        builder.Services.AddSingleton<SyncHealth>();
        builder.Services.AddSingleton<ControllerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ControllerService>());

        if (options.Webhook)
        {
            builder.Services.AddSingleton<PublishedPoolSource>();
            builder.Services.AddSingleton<IPoolSource>(sp => sp.GetRequiredService<PublishedPoolSource>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<PublishedPoolSource>());
            builder.Services.AddSidePoolWebhook(new WebhookOptions
            {
                // The mode of each version comes with it (PoolCandidate.SidecarMode); this is the fallback.
                Injection = injection,
                AllowedImagePrefixes = options.AllowedImagePrefixes,
                Certificates = new CertificateOptions
                {
                    Mode = CertificateModes.Parse(options.CertMode),
                    Directory = options.CertDirectory,
                    ServiceName = options.WebhookService,
                    Namespace = operatorNamespace,
                },
            });
            builder.Services.AddSingleton<CaBundleKeeper>();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Any, options.MetricsPort);
            if (options.Webhook)
            {
                var certificates = kestrel.ApplicationServices.GetRequiredService<WebhookCertificateProvider>();
                kestrel.Listen(IPAddress.Any, options.WebhookPort, listen => listen.UseHttps(https => https.ServerCertificateSelector = certificates.ServerCertificateSelector));
            }
        });

        var app = builder.Build();
        MapEndpoints(app, options);
        return app;
    }

    private static void MapEndpoints(WebApplication app, OperatorOptions options)
    {
        var service = app.Services.GetRequiredService<ControllerService>();
        var controller = app.Services.GetRequiredService<PoolController>();
        var pools = app.Services.GetService<PublishedPoolSource>();
        var health = app.Services.GetRequiredService<SyncHealth>();
        var metricsPort = options.MetricsPort;

        // Endpoints are told apart by the port the connection came in on, never by the Host header: the API server
        // calls the webhook through its Service (Host: <service>.<namespace>.svc:443) while the pod listens on
        // --webhook-port, and scrapers may come through a Service too.
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<LocalPortMetadata>() is { } port && port.Port != context.Connection.LocalPort)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });

        // The text format 0.0.4 whatever the scraper asks for (Prometheus asks for OpenMetrics first).
        var registry = app.Services.GetRequiredService<CollectorRegistry>();
        app.MapMetrics(settings =>
        {
            settings.Registry = registry;
            settings.EnableOpenMetrics = false;
        }).WithMetadata(new LocalPortMetadata(metricsPort));

        // Both probes fail while this replica's controller cannot sync (e.g. RBAC refuses a list), naming why.
        app.MapGet("/healthz", () =>
                service.ExecuteTask is { IsCompleted: true } ? Results.Text("controller stopped\n", statusCode: 500)
                : health.Reason is { } reason ? Results.Text(reason + "\n", statusCode: 500)
                : Results.Text("ok\n"))
            .WithMetadata(new LocalPortMetadata(metricsPort));

        // Every replica serves the webhook: ready once its pool caches are filled; the leader also once the controller's are.
        app.MapGet("/readyz", () =>
                health.Reason is { } reason ? Results.Text(reason + "\n", statusCode: 503)
                : pools?.SyncProblem is { } webhook ? Results.Text(webhook + "\n", statusCode: 503)
                : (pools?.HasSynced ?? true) && (!service.IsLeader || controller.HasSynced) ? Results.Text("ok\n")
                : Results.Text("caches not synced\n", statusCode: 503))
            .WithMetadata(new LocalPortMetadata(metricsPort));
        if (options.Webhook)
        {
            app.MapGroup("").WithMetadata(new LocalPortMetadata(options.WebhookPort)).MapSidePoolWebhook();
        }
    }

    /// <summary>The local port an endpoint answers on.</summary>
    private sealed record LocalPortMetadata(int Port);
}
