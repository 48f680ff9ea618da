using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// A mutating admission webhook on 127.0.0.1 over TLS (a certificate for <c>NAME.NAMESPACE.svc</c>, self-signed: it is
/// its own caBundle) that adds the label <c>mutated=yes</c> to every object; one HTTP/1.1 request per connection.
/// </summary>
internal sealed class TinyWebhookServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _calls;

    public TinyWebhookServer(string serviceHost)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + serviceHost, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(serviceHost);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        CaBundlePem = created.ExportCertificatePem();
        _listener.Start();
        _loop = Task.Run(() => AcceptAsync(_stop.Token));
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string CaBundlePem { get; }

    public int Calls => Volatile.Read(ref _calls);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _certificate.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(cancellationToken);
            _ = Task.Run(() => ServeAsync(client, cancellationToken), cancellationToken);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(_certificate);
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await tls.ReadAsync(one, cancellationToken) == 1)
            {
                head.Append((char)one[0]);
            }

            var length = head.ToString().Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).Single();
            var body = new byte[length];
            await tls.ReadExactlyAsync(body, cancellationToken);
            var review = JsonNode.Parse(body)!;
            Interlocked.Increment(ref _calls);
            var patch = """[{"op":"add","path":"/metadata/labels/mutated","value":"yes"}]""";
            var answer = new JsonObject
            {
                ["apiVersion"] = "admission.k8s.io/v1",
                ["kind"] = "AdmissionReview",
                ["response"] = new JsonObject
                {
                    ["uid"] = review["request"]!["uid"]!.GetValue<string>(),
                    ["allowed"] = true,
                    ["patchType"] = "JSONPatch",
                    ["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch)),
                },
            }.ToJsonString();
            var bytes = Encoding.UTF8.GetBytes(answer);
            await tls.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"), cancellationToken);
            await tls.WriteAsync(bytes, cancellationToken);
            await tls.FlushAsync(cancellationToken);
        }
    }
}
