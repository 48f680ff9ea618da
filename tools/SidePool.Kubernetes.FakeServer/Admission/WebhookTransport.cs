using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;

namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>
/// POSTs an AdmissionReview to a webhook over HTTPS, as the apiserver's webhook client does: <c>url</c> or
/// <c>service</c> (mapped to an address by <see cref="FakeApiServerOptions.WebhookServiceResolver"/>, else to a ready pod of the
/// Service by <see cref="ServiceEndpointResolver"/>; the certificate must then be valid for <c>&lt;service&gt;.&lt;namespace&gt;.svc</c>), <c>?timeout=Ns</c> on the URL, the per-webhook
/// timeout, and the server certificate verified against exactly the <c>caBundle</c> (no system trust when it is set).
/// Failures are <see cref="WebhookCallException"/>s worded like Go's (<c>Post "…": tls: failed to verify certificate: …</c>).
/// </summary>
internal sealed class WebhookTransport
{
    private readonly Func<Admissionregistrationv1ServiceReference, Uri?>? _resolveService;
    private readonly ServiceEndpointResolver? _endpoints;

    /// <param name="resolveService">Explicit addresses of Services (tried first).</param>
    /// <param name="endpoints">Otherwise: the Service's ready pods, as the cluster network reaches them.</param>
    public WebhookTransport(Func<Admissionregistrationv1ServiceReference, Uri?>? resolveService, ServiceEndpointResolver? endpoints = null)
    {
        _resolveService = resolveService;
        _endpoints = endpoints;
    }

    public async Task<JsonObject> PostAsync(MutatingWebhookSpec hook, JsonObject review, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(Math.Clamp(hook.TimeoutSeconds, 1, 30));
        var timeoutQuery = string.Create(CultureInfo.InvariantCulture, $"timeout={(int)timeout.TotalSeconds}s");
        var (target, shownUrl, expectedHost) = Resolve(hook, timeoutQuery);
        var caCertificates = LoadCaBundle(hook);
        string? tlsFailure = null;
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = expectedHost,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    tlsFailure = Verify(certificate, chain, errors, caCertificates, expectedHost);
                    return tlsFailure is null;
                },
            },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, target)
        {
            Content = new StringContent(review.ToJsonString(JsonOutput.Options), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, */*");
        request.Headers.UserAgent.ParseAdd("kube-apiserver-admission");
        if (!expectedHost.Equals(target.Host, StringComparison.OrdinalIgnoreCase))
        {
            request.Headers.Host = string.Create(CultureInfo.InvariantCulture, $"{expectedHost}:{ServicePort(hook)}");
        }

        string text;
        HttpStatusCode status;
        try
        {
            using var response = await client.SendAsync(request, deadline.Token);
            status = response.StatusCode;
            text = await response.Content.ReadAsStringAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failed(hook, $"Post \"{shownUrl}\": context deadline exceeded");
        }
        catch (HttpRequestException error)
        {
            throw Failed(hook, $"Post \"{shownUrl}\": {Describe(error, tlsFailure, target)}");
        }

        if ((int)status is < 200 or > 299)
        {
            var body = text.Length > 200 ? text[..200] : text;
            var why = (int)status >= 500
                ? $"an error on the server (\"{body}\") has prevented the request from succeeding"
                : string.Create(CultureInfo.InvariantCulture, $"the server responded with the status code {(int)status} but did not return more information");
            throw Failed(hook, why);
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw Failed(hook, "couldn't get version/kind; json parse error: the response is not a JSON object");
        }
        catch (System.Text.Json.JsonException error)
        {
            throw Failed(hook, $"couldn't get version/kind; json parse error: {error.Message}");
        }
    }

    private (Uri Target, string Shown, string ExpectedHost) Resolve(MutatingWebhookSpec hook, string timeoutQuery)
    {
        if (hook.Url is { Length: > 0 } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttps)
            {
                throw new WebhookCallException(hook.Name, $"could not get REST client: webhook url \"{url}\" must be an absolute https URL");
            }

            var withTimeout = AppendQuery(parsed, timeoutQuery);
            return (withTimeout, withTimeout.ToString(), parsed.Host);
        }

        if (hook.Service is not { } service)
        {
            throw new WebhookCallException(hook.Name, "could not get REST client: webhook has neither clientConfig.url nor clientConfig.service");
        }

        var reference = new Admissionregistrationv1ServiceReference
        {
            NamespaceProperty = JsonNodes.GetString(service, "namespace") ?? string.Empty,
            Name = JsonNodes.GetString(service, "name") ?? string.Empty,
            Path = JsonNodes.GetString(service, "path"),
            Port = (int)ServicePort(hook),
        };
        var host = $"{reference.Name}.{reference.NamespaceProperty}.svc";
        var shown = string.Create(CultureInfo.InvariantCulture, $"https://{host}:{reference.Port}{reference.Path ?? string.Empty}?{timeoutQuery}");
        var baseAddress = _resolveService?.Invoke(reference);
        if (baseAddress is null)
        {
            var (address, error) = _endpoints?.Resolve(reference) ?? (null, $"service \"{reference.Name}\" not found");
            baseAddress = address ?? throw Failed(hook, $"Post \"{shown}\": {error}");
        }

        var builder = new UriBuilder(baseAddress);
        builder.Path = builder.Path.TrimEnd('/') + (reference.Path ?? string.Empty);
        return (AppendQuery(builder.Uri, timeoutQuery), shown, host);
    }

    private static long ServicePort(MutatingWebhookSpec hook) => JsonNodes.GetInt64(hook.Service?["port"]) ?? 443;

    private static Uri AppendQuery(Uri uri, string query)
    {
        var builder = new UriBuilder(uri);
        builder.Query = builder.Query.Length > 1 ? builder.Query[1..] + "&" + query : query;
        return builder.Uri;
    }

    private static X509Certificate2Collection? LoadCaBundle(MutatingWebhookSpec hook)
    {
        if (hook.CaBundle is null)
        {
            return null;
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(Encoding.ASCII.GetString(hook.CaBundle));
        }
        catch (CryptographicException)
        {
            certificates.Clear();
        }

        return certificates.Count > 0
            ? certificates
            : throw new WebhookCallException(hook.Name, "could not get REST client: unable to load root certificates: unable to parse bytes as PEM block");
    }

    /// <summary>Go's verification: the chain must end at a CA of the bundle (or a system root without a bundle), then the host name must match a SAN.</summary>
    private static string? Verify(X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors, X509Certificate2Collection? roots, string host)
    {
        if (presented is null)
        {
            return "tls: failed to verify certificate: x509: no certificate presented";
        }

        var leaf = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (roots is null)
        {
            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
            }
        }
        else
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presentedChain is not null)
            {
                foreach (var element in presentedChain.ChainElements)
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            if (!chain.Build(leaf))
            {
                var expired = chain.ChainStatus.Any(s => s.Status.HasFlag(X509ChainStatusFlags.NotTimeValid));
                return expired
                    ? string.Create(CultureInfo.InvariantCulture, $"tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} is after {leaf.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}")
                    : "tls: failed to verify certificate: x509: certificate signed by unknown authority";
            }
        }

        if (!leaf.MatchesHostname(host, allowWildcards: true, allowCommonName: false))
        {
            var names = SubjectAlternativeNames(leaf);
            return names.Count == 0
                ? "tls: failed to verify certificate: x509: certificate relies on legacy Common Name field, use SANs instead"
                : $"tls: failed to verify certificate: x509: certificate is valid for {string.Join(", ", names)}, not {host}";
        }

        return null;
    }

    private static List<string> SubjectAlternativeNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(ip => ip.ToString()));
        }

        return names;
    }

    private static string Describe(HttpRequestException error, string? tlsFailure, Uri target)
    {
        if (tlsFailure is not null)
        {
            return tlsFailure;
        }

        for (Exception? inner = error; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return string.Create(CultureInfo.InvariantCulture, $"dial tcp {target.Host}:{target.Port}: connect: connection refused");
                case AuthenticationException authentication:
                    return $"remote error: tls: {authentication.Message}";
                case IOException io when inner.InnerException is null:
                    return io.Message.Contains("EOF", StringComparison.OrdinalIgnoreCase) ? "EOF" : io.Message;
            }
        }

        return error.Message;
    }

    private static WebhookCallException Failed(MutatingWebhookSpec hook, string reason) =>
        new(hook.Name, "failed to call webhook: " + reason);
}
