using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>
/// The scheduler for <see cref="FakeApiServerOptions.ExternalKubeletNodeName"/>: binds every unscheduled, not deleting
/// pod to the one node (<c>spec.nodeName</c> and the PodScheduled condition, as a <c>pods/binding</c> does), unless the
/// kube-scheduler's NodePorts filter would refuse it: a host port (a container port's <c>hostPort</c>, or every container
/// port of a hostNetwork pod, which the API defaults to be its hostPort) already used by another pod on the node that has
/// not ended. Such a pod stays Pending with PodScheduled False (<c>Unschedulable</c>, the scheduler's message) and is bound
/// once the port is free (the resync re-queues it). Nothing else: the node's own kubelet runs the pod, writes its status
/// and deletes it.
/// </summary>
internal sealed class PodScheduler(ControllerContext context, string nodeName) : ControllerLoop(context)
{
    public string NodeName { get; } = nodeName;

    protected override ResourceDefinition Primary => Context.Pods;

    protected override IEnumerable<ResourceDefinition> Watched => [Context.Pods];

    protected override string Name => "pod-scheduler";

    protected override TimeSpan ResyncInterval => TimeSpan.FromSeconds(5);

    public Task RegisterNodeAsync(CancellationToken cancellationToken) =>
        NodeRegistration.RegisterAsync(Context, NodeName, simulated: false, cancellationToken);

    protected override IEnumerable<string> KeysFor(StoredEvent stored) => [Key(stored.Namespace, Workloads.Name(stored.Object))];

    protected override Task ReconcileAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var pod = Context.Get(Context.Pods, @namespace, name);
        if (pod is not null && !Workloads.Deleting(pod) && string.IsNullOrEmpty(JsonNodes.GetString(pod["spec"], "nodeName")))
        {
            var wanted = HostPorts(pod);
            var taken = wanted.Count == 0 ? [] : Context.List(Context.Pods, null, p => JsonNodes.GetString(p["spec"], "nodeName") == NodeName && Workloads.Phase(p) is not ("Succeeded" or "Failed"))
                .SelectMany(HostPorts)
                .ToHashSet();
            if (wanted.Overlaps(taken))
            {
                Context.Operations.MarkPodUnschedulable(Context.Pods, @namespace, name, NoFreePorts);
            }
            else
            {
                Context.Operations.BindPod(Context.Pods, @namespace, name, NodeName);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The kube-scheduler's message when the NodePorts filter rejects the one node (and preemption finds no victim).</summary>
    internal const string NoFreePorts = "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";

    /// <summary>The (protocol, host port) pairs a pod occupies on its node.</summary>
    internal static HashSet<(string Protocol, long Port)> HostPorts(JsonObject pod)
    {
        var spec = pod["spec"];
        var hostNetwork = spec?["hostNetwork"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;
        var ports = new HashSet<(string, long)>();
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var container in (spec?[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var hostPort = JsonNodes.GetInt64(port["hostPort"]) ?? (hostNetwork ? JsonNodes.GetInt64(port["containerPort"]) : null);
                    if (hostPort is > 0)
                    {
                        ports.Add((JsonNodes.GetString(port, "protocol") ?? "TCP", hostPort.Value));
                    }
                }
            }
        }

        return ports;
    }
}
