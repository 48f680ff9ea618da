using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Operator.Hosting;

return await OperatorCommandLine.RunAsync(
    args,
    Console.Out,
    Console.Error,
    async (options, cancellationToken) =>
    {
        using var client = await KubernetesClient.CreateDefaultAsync(
            options.Kubeconfig is null && options.Context is null ? null : new KubeConfigLoadOptions { ExplicitPath = options.Kubeconfig, Context = options.Context },
            cancellationToken: cancellationToken);
        await using var app = OperatorHost.Build(options, client);
        await app.RunAsync();
        return 0;
    },
    CancellationToken.None);
