using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer;
using SidePool.Testing;

namespace SidePool.Chart.Tests;

/// <summary>
/// <c>helm install</c>, <c>helm upgrade</c> and <c>helm uninstall</c> with the real helm against the fake API server.
/// </summary>
public sealed class ChartInstallTests
{
    private const string Namespace = "sidepool-system";

    [Fact]
    public async Task Install_upgrade_and_uninstall_leave_no_webhook_configuration_behind()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var directory = new TestDirectory("sidepool-chart-install");
        var kubeconfig = server.WriteKubeconfig(directory.PathOf("kubeconfig"));
        using var helm = new Helm(kubeconfig);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var installed = await helm.RunOkAsync("install", "sidepool", Helm.ChartDirectory, "-n", Namespace, "--create-namespace", "--wait=hookOnly");
        Assert.Contains("STATUS: deployed", installed, StringComparison.Ordinal);
        var deployment = await GetAsync(http, $"apis/apps/v1/namespaces/{Namespace}/deployments/sidepool");
        Assert.NotNull(deployment);
        Assert.NotNull(await GetAsync(http, "apis/apiextensions.k8s.io/v1/customresourcedefinitions/connectionpools.sidepool.dev"));
        Assert.NotNull(await GetAsync(http, $"apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/{Namespace}-sidepool"));
        var template = deployment!["spec"]!["template"]!.ToJsonString();

        // A value the operator reads from its flags: the pod template changes, so the Deployment rolls.
        var upgraded = await helm.RunOkAsync("upgrade", "sidepool", Helm.ChartDirectory, "-n", Namespace, "--set", "logLevel=debug", "--wait=hookOnly");
        Assert.Contains("STATUS: deployed", upgraded, StringComparison.Ordinal);
        var after = await GetAsync(http, $"apis/apps/v1/namespaces/{Namespace}/deployments/sidepool");
        Assert.NotEqual(template, after!["spec"]!["template"]!.ToJsonString());
        Assert.Contains("--log-level=debug", ChartTemplateTests.Args(after));
        Assert.True(after["metadata"]!["generation"]!.GetValue<long>() > deployment["metadata"]!["generation"]!.GetValue<long>());
        Assert.Contains("REVISION", await helm.RunOkAsync("history", "sidepool", "-n", Namespace), StringComparison.Ordinal);

        var uninstalled = await helm.RunOkAsync("uninstall", "sidepool", "-n", Namespace, "--wait");
        Assert.Contains("release \"sidepool\" uninstalled", uninstalled, StringComparison.Ordinal);
        var configurations = await GetAsync(http, "apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations");
        Assert.Empty(configurations!["items"]!.AsArray());
        Assert.Null(await GetAsync(http, $"apis/apps/v1/namespaces/{Namespace}/deployments/sidepool"));
        // helm keeps CRDs (crds/ is never deleted), so pools survive an uninstall.
        Assert.NotNull(await GetAsync(http, "apis/apiextensions.k8s.io/v1/customresourcedefinitions/connectionpools.sidepool.dev"));
    }

    private static async Task<JsonObject?> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }
}
