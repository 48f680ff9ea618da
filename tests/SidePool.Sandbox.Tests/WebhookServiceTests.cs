using System.Globalization;
using System.Text;
using SidePool.Testing;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary><c>--service</c>: a webhook whose clientConfig names a Service is called where the sandbox was told it is served.</summary>
public sealed class WebhookServiceTests
{
    [Fact]
    public async Task A_webhook_service_named_with_service_is_called_over_TLS_and_its_patch_applies_to_the_pod()
    {
        Assert.True(ServiceUser.IsRoot, "rootful podman: run as root");
        await using var webhook = new TinyWebhookServer("hook.webhooks.svc");
        using var state = new TestDirectory("sandbox-webhook");
        try
        {
            await using var up = ManagedProcess.Start(
                Binaries.Sandbox,
                ["up", "--state-dir", state.FullPath, "--service", $"webhooks/hook=127.0.0.1:{webhook.Port.ToString(CultureInfo.InvariantCulture)}"],
                asServiceUser: false);
            await up.WaitForLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var kubeconfig = state.PathOf("kubeconfig");
            var configuration = state.WriteFile("webhook.yaml", $$"""
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: label-pods}
                webhooks:
                - name: pods.example.com
                  clientConfig:
                    service: {namespace: webhooks, name: hook, path: /mutate, port: 443}
                    caBundle: {{Convert.ToBase64String(Encoding.ASCII.GetBytes(webhook.CaBundlePem))}}
                  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
                  sideEffects: None
                  admissionReviewVersions: [v1]
                  failurePolicy: Fail
                  timeoutSeconds: 5
                """);
            var pod = state.WriteFile("pod.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: p, labels: {app: p}}
                spec:
                  containers: [{name: c, image: localhost/sidepool/forwarder:dev, args: ["-V"]}]
                """);

            var registered = await Tools.KubectlAsync(kubeconfig, "apply", "-f", configuration);
            var created = await Tools.KubectlAsync(kubeconfig, "apply", "-f", pod);
            var label = await Tools.KubectlAsync(kubeconfig, "get", "pod", "p", "-o", "jsonpath={.metadata.labels.mutated}");

            Assert.True(registered.ExitCode == 0, registered.Stderr);
            Assert.True(created.ExitCode == 0, created.Stderr + up.Output);
            Assert.Equal("yes", label.Stdout);
            Assert.Equal(1, webhook.Calls);
            up.Signal(PosixSignalNumber.Term);
            Assert.True(await up.WaitForExitAsync(TimeSpan.FromSeconds(30)), up.Output);
        }
        finally
        {
            await Tools.RunAsync(Binaries.Sandbox, ["down", "--state-dir", state.FullPath]);
        }
    }
}
