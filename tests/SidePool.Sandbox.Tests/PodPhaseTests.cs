using System.Text.Json.Nodes;
using SidePool.Sandbox.Kubelet;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// The pod phase the kubelet reports (pure). A pod being deleted stays Running until its native sidecars exited too, not
/// only its app containers: the operator's connection budget stops counting a pod whose phase is terminal, and a
/// sidecar's PgBouncer still holds server connections while it drains after the app.
/// </summary>
public sealed class PodPhaseTests
{
    [Fact]
    public void A_terminating_pod_is_Running_until_its_native_sidecar_exited_after_the_app()
    {
        var sidecar = Container(ContainerKind.Sidecar, running: true);
        var app = Container(ContainerKind.App, running: false, exitCode: 0);

        Assert.Equal("Running", PodPhase.Of(failed: false, initialized: true, [sidecar], [app], "Always", terminating: true));

        Stop(sidecar, exitCode: 0);
        Assert.Equal("Succeeded", PodPhase.Of(failed: false, initialized: true, [sidecar], [app], "Always", terminating: true));
    }

    [Fact]
    public void Exited_app_containers_of_a_pod_not_being_deleted_follow_the_restart_policy()
    {
        var app = Container(ContainerKind.App, running: false, exitCode: 1);

        Assert.Equal("Running", PodPhase.Of(failed: false, initialized: true, [], [app], "Always", terminating: false));
        Assert.Equal("Running", PodPhase.Of(failed: false, initialized: true, [], [app], "OnFailure", terminating: false));
        Assert.Equal("Failed", PodPhase.Of(failed: false, initialized: true, [], [app], "Never", terminating: false));
        Assert.Equal("Failed", PodPhase.Of(failed: false, initialized: true, [], [app], "Always", terminating: true));
        Assert.Equal("Pending", PodPhase.Of(failed: false, initialized: false, [], [app], "Always", terminating: false));
    }

    private static ContainerRuntime Container(ContainerKind kind, bool running, int? exitCode = null)
    {
        var container = new ContainerRuntime(new Container { Name = kind.ToString().ToLowerInvariant() }, kind, "p-" + kind, new CrashBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8))) { Created = true };
        if (running)
        {
            container.RunningSince = DateTimeOffset.UtcNow;
        }

        if (exitCode is { } code)
        {
            container.Terminated = new JsonObject { ["exitCode"] = code };
        }

        return container;
    }

    private static void Stop(ContainerRuntime container, int exitCode)
    {
        container.RunningSince = null;
        container.Terminated = new JsonObject { ["exitCode"] = exitCode };
    }
}
