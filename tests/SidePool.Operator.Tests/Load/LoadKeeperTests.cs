using System.Net;
using System.Net.Sockets;
using System.Text;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Operator.Load;
using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>
/// The measuring step never holds a reconcile: it answers from what it has and reads agents in the background; an agent
/// that accepts and never answers costs its timeout there.
/// </summary>
public sealed class LoadKeeperTests
{
    private const string Version = "aaaaaaaaaa";

    [Fact]
    public async Task A_read_runs_in_the_background_and_its_result_is_published_on_a_later_look()
    {
        using var answering = Agent(LoadMessages.ToJson(new LoadReport { Seconds = 60, Samples = 60, ServerActive = 30, ServerCapacity = 60, Transactions = 600 }));
        using var silent = Agent(null); // accepts, never answers
        using var client = new AgentLoadClient { Timeout = TimeSpan.FromSeconds(1) };
        var endpoints = new Dictionary<string, Uri> { ["a"] = answering.Uri, ["b"] = silent.Uri };
        var keeper = new LoadKeeper((pod, _) => endpoints[pod.Metadata!.Name!], client, TimeProvider.System, TimeSpan.FromMinutes(1), podsPerVersion: 10);
        var pool = new ConnectionPool { Metadata = new ObjectMeta { Name = "orders", NamespaceProperty = "shop" }, Spec = new ConnectionPoolSpec() };
        Pod[] pods = [PodOf("a"), PodOf("b")];
        ObservedPod[] observed = [Observed("a"), Observed("b")];

        // first look: nothing measured yet, a read started, look again in a second
        Assert.Null(keeper.Measure(pool, pods, observed));
        Assert.Equal(TimeSpan.FromSeconds(1), keeper.NextLook("shop", "orders"));

        // a look while the read waits for the silent agent: still nothing, no second read
        Assert.Null(keeper.Measure(pool, pods, observed));

        PoolLoad? load = null;
        await OperatorHarness.EventuallyAsync(() => Task.FromResult(load = keeper.Measure(pool, pods, observed)), l => l is not null, TimeSpan.FromSeconds(10), "the background read's result");
        var measured = load!.Versions[Version];
        Assert.Equal((1, 600L, 0.5), (measured.Pods, measured.Transactions, measured.Utilisation!.Value)); // the silent agent is left out
        Assert.Equal(1, answering.Requests);
        Assert.Equal(1, silent.Requests);

        // measured: the next look is when the measurements are due, and nothing is read before
        Assert.InRange(keeper.NextLook("shop", "orders")!.Value, TimeSpan.FromSeconds(55), TimeSpan.FromMinutes(1));
        Assert.Same(load, keeper.Measure(pool, pods, observed));
        Assert.Equal(1, answering.Requests);
    }

    [Fact]
    public void Measuring_off_reads_nothing()
    {
        using var client = new AgentLoadClient();
        var keeper = new LoadKeeper((_, _) => throw new InvalidOperationException("no endpoint is asked for"), client, TimeProvider.System, TimeSpan.Zero, 10);
        var pool = new ConnectionPool { Metadata = new ObjectMeta { Name = "orders", NamespaceProperty = "shop" }, Spec = new ConnectionPoolSpec() };
        Assert.Null(keeper.Measure(pool, [PodOf("a")], [Observed("a")]));
        Assert.Null(keeper.NextLook("shop", "orders"));
    }

    private static Pod PodOf(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, NamespaceProperty = "shop", Labels = new Dictionary<string, string> { [VersionContract.Labels.PodPool("orders")] = Version } },
    };

    private static ObservedPod Observed(string name) => new() { Name = name, Version = Version, Ready = true, Owner = new WorkloadRef(WorkloadRef.Deployment, "web") };

    private static FakeAgent Agent(string? json) => new(json);

    /// <summary>A loopback HTTP server answering every request with <c>json</c>, or never answering when it is null.</summary>
    private sealed class FakeAgent : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Socket> _held = [];
        private int _requests;

        public FakeAgent(string? json)
        {
            _listener.Start();
            _ = ServeAsync(json);
        }

        public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            foreach (var socket in _held)
            {
                socket.Dispose();
            }

            _stop.Dispose();
        }

        private async Task ServeAsync(string? json)
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref _requests);
                if (json is null)
                {
                    _held.Add(socket);
                    continue;
                }

                using (socket)
                {
                    var buffer = new byte[4096];
                    await socket.ReceiveAsync(buffer, SocketFlags.None);
                    var body = Encoding.UTF8.GetBytes(json);
                    var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                    await socket.SendAsync(head.Concat(body).ToArray(), SocketFlags.None);
                }
            }
        }
    }
}
