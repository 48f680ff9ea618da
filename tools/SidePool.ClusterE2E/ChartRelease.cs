namespace SidePool.ClusterE2E;

/// <summary>
/// The chart (charts/sidepool) installed with helm into <see cref="Namespace"/>, with the images the runner was given
/// (<c>pullPolicy: IfNotPresent</c>: images loaded into the nodes are used as they are, others are pulled), and
/// uninstalled again. helm runs with its own cache and config under the output directory.
/// </summary>
internal sealed class ChartRelease(RealCluster cluster, Images images, string workDirectory, TimeSpan timeout)
{
    public const string Name = "sidepool";
    public const string Namespace = "sidepool-e2e";

    private string HelmTimeout => $"{(int)timeout.TotalSeconds}s";

    private static string Helm => Environment.GetEnvironmentVariable("SIDEPOOL_HELM") is { Length: > 0 } helm ? helm : "helm";

    /// <summary>helm install --wait, then waits until the operator put its CA into the webhook configuration.</summary>
    public async Task InstallAsync(CancellationToken cancellationToken)
    {
        await HelmAsync(
            [
                "install", Name, Repository.Chart, "--namespace", Namespace, "--create-namespace", "--wait", "--timeout", HelmTimeout,
                "--set", $"image.repository={images.Repository("operator")}",
                "--set", $"image.tag={images.Tag}",
                "--set", "image.pullPolicy=IfNotPresent",
                "--set", $"sidecar.image={images.Reference("sidecar")}",
            ],
            cancellationToken);
        await Demo.Cluster.SandboxCluster.WaitAsync(
            async () => (await WebhookConfigurationsAsync(cancellationToken)).Any(w => w.Webhooks?.All(h => h.ClientConfig.CaBundle is { Length: > 0 }) == true),
            timeout,
            "the operator's CA in the chart's webhook configuration");
    }

    public Task UninstallAsync(CancellationToken cancellationToken) =>
        HelmAsync(["uninstall", Name, "--namespace", Namespace, "--wait", "--timeout", HelmTimeout], cancellationToken);

    /// <summary>The mutating webhook configurations whose webhooks call a Service of the release's namespace.</summary>
    public async Task<List<MutatingWebhookConfiguration>> WebhookConfigurationsAsync(CancellationToken cancellationToken) =>
        await cluster.Client.Resource(Kubernetes.Client.KubernetesResources.MutatingWebhookConfigurations).ListAllAsync(cancellationToken: cancellationToken)
            .Where(c => c.Webhooks?.Any(h => h.ClientConfig?.Service?.NamespaceProperty == Namespace) == true)
            .ToListAsync(cancellationToken);

    private async Task HelmAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var home = Path.Combine(workDirectory, "helm");
        var environment = new Dictionary<string, string>
        {
            ["KUBECONFIG"] = cluster.Kubeconfig,
            ["HELM_CACHE_HOME"] = Path.Combine(home, "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(home, "config"),
            ["HELM_DATA_HOME"] = Path.Combine(home, "data"),
        };
        (await Tool.RunAsync(Helm, arguments, environment, cancellationToken)).Ok($"helm {arguments[0]}");
    }
}
