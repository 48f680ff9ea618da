using System.CommandLine;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Errors;

namespace SidePool.Cli.Status;

/// <summary>
/// <c>status POOL [-n NS] [--kubeconfig FILE] [--context NAME]</c>: reads the pool, the pods that carry its sidecar
/// (label <c>pools.sidepool.dev/&lt;pool&gt;</c>) and the events about it, and prints <see cref="StatusScreen"/>.
/// Reads only. A missing pool or kubeconfig is one line and exit code 2; an unreachable or refusing API server one line
/// and exit code 1.
/// </summary>
public static class StatusCommand
{
    public static Command Create(TextWriter stdout)
    {
        var poolName = new Argument<string>("POOL") { Description = "The ConnectionPool's name." };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Its namespace (default: the kubeconfig context's, else default)." };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "kubeconfig file (default: KUBECONFIG, else ~/.kube/config, else in-cluster)." };
        var context = new Option<string?>("--context") { Description = "kubeconfig context (default: its current-context)." };
        var command = new Command("status", "One screen for a pool: versions, pods per version, targets, budget, conditions, pods and recent events.")
        {
            poolName, ns, kubeconfig, context,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var report = await ReadAsync(parsed.GetValue(poolName)!, parsed.GetValue(ns), parsed.GetValue(kubeconfig), parsed.GetValue(context), cancellationToken);
            await stdout.WriteAsync(StatusScreen.Render(report));
            return 0;
        });
        return command;
    }

    public static async Task<PoolStatusReport> ReadAsync(string name, string? @namespace, string? kubeconfig, string? context, CancellationToken cancellationToken)
    {
        KubernetesClient client;
        try
        {
            var options = kubeconfig is null && context is null ? null : new KubeConfigLoadOptions { ExplicitPath = kubeconfig, Context = context };
            client = await KubernetesClient.CreateDefaultAsync(options, new KubernetesClientOptions { RequestTimeout = TimeSpan.FromSeconds(30) }, cancellationToken);
        }
        catch (KubernetesConfigException e)
        {
            throw new UserError(e.Message);
        }

        using (client)
        {
            var ns = @namespace ?? client.DefaultNamespace;
            try
            {
                var pool = await client.Resource(ConnectionPoolResource.Type).TryGetAsync(name, ns, cancellationToken)
                    ?? throw new UserError($"connectionpool \"{name}\" not found in namespace \"{ns}\"");
                var pods = await client.Resource(KubernetesResources.Pods)
                    .ListAllAsync(ns, new ListOptions { LabelSelector = VersionContract.Labels.PodPool(name) }, cancellationToken)
                    .ToListAsync(cancellationToken);
                var events = await client.Resource(KubernetesResources.Events)
                    .ListAllAsync(ns, new ListOptions { FieldSelector = $"regarding.kind={Naming.Kind},regarding.name={name}" }, cancellationToken)
                    .ToListAsync(cancellationToken);
                return new PoolStatusReport(pool, pods, events, DateTimeOffset.UtcNow);
            }
            catch (KubernetesTransportException e)
            {
                throw new ClusterError($"cannot reach the API server: {e.Message}");
            }
            catch (KubernetesApiException e)
            {
                throw new ClusterError($"the API server refused: {e.Message}");
            }
        }
    }
}

/// <summary>The cluster could not be read (unreachable, refused): one line on stderr, exit code 1.</summary>
public sealed class ClusterError(string message) : Exception(message);
