using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Operator.Hosting;

if (args.Any(a => a is "--help" or "-h"))
{
    Console.WriteLine(OperatorOptionsParser.Usage);
    return 0;
}

OperatorOptions options;
try
{
    options = OperatorOptionsParser.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"sidepool-operator: {ex.Message}\n{OperatorOptionsParser.Usage}");
    return 2;
}

using var client = await KubernetesClient.CreateDefaultAsync(
    options.Kubeconfig is null && options.Context is null ? null : new KubeConfigLoadOptions { ExplicitPath = options.Kubeconfig, Context = options.Context });
await using var app = OperatorHost.Build(options, client);
await app.RunAsync();
return 0;
