using System.Globalization;
using SidePool.Testing;
using Xunit;

namespace SidePool.Images.Tests;

/// <summary>
/// The forwarder as the sandbox's kubelet runs it in every pod: socat listening on the pod's 127.0.0.1:5432,
/// each connection forwarded to the host PostgreSQL's unix socket, bind-mounted at /run/postgresql.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class ForwarderImageTests(ImagesFixture images)
{
    /// <summary>The forwarder's arguments (its entrypoint is socat) for a PostgreSQL on <paramref name="postgresPort"/>.</summary>
    public static IReadOnlyList<string> Command(int postgresPort) =>
        ["TCP-LISTEN:5432,bind=127.0.0.1,fork,reuseaddr", $"UNIX-CONNECT:/run/postgresql/.s.PGSQL.{postgresPort.ToString(CultureInfo.InvariantCulture)}"];

    [Fact]
    public async Task APodWithOnlyLoopbackReachesTheHostsPostgresThroughItsSocketOnceForEveryConnection()
    {
        images.EnsureBuilt();
        await using var postgres = await PostgresServer.StartAsync();
        await using var pod = await PodmanPod.CreateAsync();
        await pod.StartAsync(
            "forwarder",
            ImageNames.Reference(ImageNames.Forwarder),
            ["--read-only", "--read-only-tmpfs=false", "--user", "65532:65532", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--volume", $"{postgres.SocketDirectory}:/run/postgresql:ro"],
            Command(postgres.Port));

        // psql from the host inside the pod's network namespace; several connections one after the other (fork).
        for (var i = 1; i <= 3; i++)
        {
            ProgramResult? result = null;
            await PodmanPod.WaitUntilAsync(
                async () => (result = await pod.InNetworkAsync("psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", "postgres", "-X", "-A", "-t", "-c", $"select {i} + 1")).ExitCode == 0,
                TimeSpan.FromSeconds(30),
                async () => $"{result}\n{await pod.LogsAsync("forwarder")}");
            Assert.Equal($"{i + 1}", result!.Stdout.Trim());
        }

        // The pod has nothing but loopback: the forwarder is the only way out.
        var devices = await pod.InNetworkAsync("cat", "/proc/net/dev");
        Assert.Equal(["lo"], devices.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(l => l.Split(':')[0].Trim()));

        var (running, _) = await pod.StateAsync("forwarder");
        Assert.True(running, await pod.LogsAsync("forwarder"));
    }
}
