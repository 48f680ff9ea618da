using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SidePool.Testing;
using Xunit;

namespace SidePool.Images.Tests;

/// <summary>The operator image under the pod security the chart will give it: read-only root, user 65532, no capabilities.</summary>
[Collection(ImagesCollection.Name)]
public sealed class OperatorImageTests(ImagesFixture images)
{
    private static readonly string[] Hardened =
        ["--network", "none", "--read-only", "--read-only-tmpfs=false", "--user", "65532:65532", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"];

    private static Task<ProgramResult> RunAsync(params string[] arguments) =>
        Commands.PodmanAsync(["run", "--rm", .. Hardened, ImageNames.Reference(ImageNames.Operator), .. arguments]);

    [Fact]
    public async Task VersionAndHelpExitZero()
    {
        images.EnsureBuilt();
        var version = await RunAsync("--version");
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Equal(SourceTree.DeclaredVersion(), version.Stdout.Trim());

        var help = await RunAsync("--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("--webhook-port", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAClusterItSaysSoInOneLine()
    {
        images.EnsureBuilt();
        var result = await RunAsync();
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("sidepool-operator: No Kubernetes configuration found", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Started for real (an API server that does not answer, the webhook certificate from files): Kestrel serves
    /// /healthz over HTTP and the webhook over TLS with that certificate (OpenSSL, dlopened, is in the image), and
    /// SIGTERM ends it with 0. Nothing is written outside the mounts.
    /// </summary>
    [Fact]
    public async Task ItServesHealthAndTheWebhookOverTlsOnAReadOnlyRootAndStopsOnSigterm()
    {
        images.EnsureBuilt();
        using var directory = new TestDirectory("imgop");
        var kubeconfig = directory.WriteFile("kubeconfig", """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{ name: k, cluster: { server: "https://127.0.0.1:1", insecure-skip-tls-verify: true } }]
            contexts: [{ name: c, context: { cluster: k, user: u, namespace: sidepool-system } }]
            users: [{ name: u, user: { token: not-a-real-token } }]
            """, (UnixFileMode)0x124);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=sidepool-webhook.sidepool-system.svc", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificates = directory.CreateSubdirectory("tls");
        File.SetUnixFileMode(certificates, (UnixFileMode)0x1ED);
        var certificateFile = directory.WriteFile("tls/tls.crt", certificate.ExportCertificatePem(), (UnixFileMode)0x124);
        directory.WriteFile("tls/tls.key", key.ExportPkcs8PrivateKeyPem(), (UnixFileMode)0x124);

        var name = $"sidepool-test-op-{Guid.NewGuid():N}"[..28];
        try
        {
            await Commands.PodmanCheckedAsync([
                "run", "-d", "--name", name, .. Hardened,
                "--volume", $"{kubeconfig}:/etc/sidepool/kubeconfig:ro", "--volume", $"{certificates}:/etc/sidepool/webhook-tls:ro",
                ImageNames.Reference(ImageNames.Operator), "--kubeconfig", "/etc/sidepool/kubeconfig", "--cert-mode", "files"]);
            var pid = await Commands.PodmanCheckedAsync("inspect", "--format", "{{.State.Pid}}", name);
            async Task<ProgramResult> Curl(params string[] arguments) =>
                await Commands.RunAsync("nsenter", [$"--net=/proc/{pid}/ns/net", "curl", "-s", "--max-time", "5", .. arguments]);
            async Task<string> Logs() => (await Commands.PodmanAsync("logs", name)).ToString();

            ProgramResult? health = null;
            await PodmanPod.WaitUntilAsync(async () => (health = await Curl("-w", " %{http_code}", "http://127.0.0.1:8080/healthz")).Stdout.EndsWith(" 200", StringComparison.Ordinal), TimeSpan.FromSeconds(60), async () => $"{health}\n{await Logs()}");

            // The webhook's TLS, verified against the certificate it was given: a body that is no AdmissionReview gets 400.
            var webhook = await Curl("--cacert", certificateFile, "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/json", "--data", "{}", "https://127.0.0.1:9443/mutate-pods");
            Assert.True(webhook.Stdout == "400", $"{webhook}\n{await Logs()}");

            var stop = await Commands.PodmanAsync("stop", "-t", "20", name);
            Assert.True(stop.ExitCode == 0, stop.ToString());
            var exitCode = await Commands.PodmanCheckedAsync("inspect", "--format", "{{.State.ExitCode}}", name);
            var logs = await Logs();
            Assert.True(exitCode == "0", logs);
            Assert.DoesNotContain("Read-only file system", logs, StringComparison.Ordinal);
            Assert.DoesNotContain("not-a-real-token", logs, StringComparison.Ordinal);
        }
        finally
        {
            await Commands.PodmanAsync("rm", "--force", "--time", "0", name);
        }
    }
}
