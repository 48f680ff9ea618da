using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SidePool.Operator.Certificates;
using SidePool.Operator.Webhook;

namespace SidePool.Operator.Tests.Webhook;

/// <summary>The webhook on real Kestrel HTTPS (127.0.0.1, random port) with the self-signed provider.</summary>
internal sealed class WebhookServer : IAsyncDisposable
{
    public const string Host = "sidepool-webhook.sidepool-system.svc";

    private readonly WebApplication _app;

    private WebhookServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public Uri Url => new($"https://{Host}:{Port}{WebhookOptions.Path}");

    public IServiceProvider Services => _app.Services;

    public WebhookCertificateProvider Certificates => _app.Services.GetRequiredService<WebhookCertificateProvider>();

    public static async Task<WebhookServer> StartAsync(IPoolSource pools, FakeEventRecorder events, ICertificateStore store, WebhookOptions? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IPoolSource>(pools);
        builder.Services.AddSingleton<IAdmissionEventRecorder>(events);
        builder.Services.AddSingleton(store);
        builder.Services.AddSidePoolWebhook(options ?? new WebhookOptions());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var provider = kestrel.ApplicationServices.GetRequiredService<WebhookCertificateProvider>();
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https => https.ServerCertificateSelector = provider.ServerCertificateSelector));
        });
        var app = builder.Build();
        app.MapSidePoolWebhook();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new WebhookServer(app, new Uri(address).Port);
    }

    /// <summary>
    /// A client that connects to 127.0.0.1 but speaks TLS to <see cref="Host"/> (SNI and name check as in a cluster)
    /// and trusts only the PEM CA bundle given (like the API server with the caBundle).
    /// </summary>
    public HttpClient CreateClient(string caBundlePem, Action<X509Certificate2>? seen = null)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(caBundlePem);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false; // e.g. the name does not match
                    }

                    var served = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    seen?.Invoke(served);
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(served);
                },
            },
        };
        return new HttpClient(handler, disposeHandler: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
