using k8s.Models;
using SidePool.Kubernetes.FakeServer.Controllers;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Test hooks into the pod lifecycle SIMULATION (<see cref="FakeApiServerOptions.SimulatePodLifecycle"/>): hold pods not
/// ready (a failing readiness probe) or fail them (a crashed container). Not a kubelet: nothing runs.
/// </summary>
public sealed class SimulatedKubelet
{
    private readonly PodLifecycleSimulation _simulation;

    internal SimulatedKubelet(PodLifecycleSimulation simulation) => _simulation = simulation;

    /// <summary>The node every pod is bound to.</summary>
    public string NodeName => _simulation.NodeName;

    /// <summary>Pods matching <paramref name="selector"/> are reported Ready=False (also pods already ready) until the returned handle is disposed.</summary>
    public IDisposable HoldNotReady(Func<V1Pod, bool> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return _simulation.HoldNotReady(selector);
    }

    /// <summary>Reports the pod Failed (containers terminated with exit code 1), as after a crash with <c>restartPolicy: Never</c>.</summary>
    public void FailPod(string @namespace, string name, string message = "simulated container failure") => _simulation.Fail(@namespace, name, message);
}
