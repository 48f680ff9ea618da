using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>Registers the one Node (Ready) as its kubelet would: <c>kubectl get nodes</c> and node lookups find it.</summary>
internal static class NodeRegistration
{
    public static async Task RegisterAsync(ControllerContext context, string nodeName, bool simulated, CancellationToken cancellationToken)
    {
        var labels = new JsonObject { ["kubernetes.io/hostname"] = nodeName, ["kubernetes.io/os"] = "linux" };
        if (simulated)
        {
            labels["sidepool.dev/simulated"] = "true";
        }

        var node = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = nodeName, ["labels"] = labels },
        };
        var created = context.Operations.Create(context.Nodes, null, node, context.Write("kubelet"));
        var now = JsonNodes.Timestamp(context.Time.GetUtcNow());
        created["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Ready",
                ["status"] = "True",
                ["lastHeartbeatTime"] = now,
                ["lastTransitionTime"] = now,
                ["reason"] = "KubeletReady",
                ["message"] = simulated ? "simulated kubelet is posting ready status" : "kubelet is posting ready status",
            }),
            ["addresses"] = new JsonArray(new JsonObject { ["type"] = "InternalIP", ["address"] = "127.0.0.1" }, new JsonObject { ["type"] = "Hostname", ["address"] = nodeName }),
            ["nodeInfo"] = new JsonObject
            {
                ["kubeletVersion"] = simulated ? "v1.35.0-simulated" : "v1.35.0-sidepool-sandbox",
                ["operatingSystem"] = "linux",
                ["architecture"] = "amd64",
                ["containerRuntimeVersion"] = simulated ? "simulated://0" : "podman://4",
            },
        };
        await context.Operations.UpdateAsync(context.Nodes, null, nodeName, "status", created, context.Write("kubelet"), RequestContext.Node(nodeName), cancellationToken);
    }
}
