namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>
/// The scheduler for <see cref="FakeApiServerOptions.ExternalKubeletNodeName"/>: binds every unscheduled, not deleting
/// pod to the one node (<c>spec.nodeName</c> and the PodScheduled condition, as a <c>pods/binding</c> does). Nothing else:
/// the node's own kubelet runs the pod, writes its status and deletes it.
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
            Context.Operations.BindPod(Context.Pods, @namespace, name, NodeName);
        }

        return Task.CompletedTask;
    }
}
