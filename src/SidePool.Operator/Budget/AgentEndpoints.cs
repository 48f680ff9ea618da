using SidePool.Contract;

namespace SidePool.Operator.Budget;

/// <summary>
/// Where a pod's agent answers <c>/budget</c>: <c>http://status.podIP:port</c>, the port being the containerPort the
/// pool's injected sidecar declares (the agent's health port). Injectable (<see cref="Controller.PoolControllerOptions.AgentEndpoint"/>)
/// so tests can point pods at real agents on loopback ports.
/// </summary>
public static class AgentEndpoints
{
    public static Uri? Default(Pod pod, string poolName, int fallbackPort)
    {
        if (pod.Status?.PodIP is not { Length: > 0 } ip)
        {
            return null;
        }

        var name = VersionContract.Sidecar.Container(poolName);
        var sidecar = (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []).FirstOrDefault(c => c.Name == name);
        var port = sidecar?.Ports?.FirstOrDefault()?.ContainerPort ?? fallbackPort;
        var host = ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip;
        return new Uri($"http://{host}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }
}
