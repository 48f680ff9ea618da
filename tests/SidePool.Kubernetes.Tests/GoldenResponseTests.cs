using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Models;
using SidePool.Kubernetes.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Tests;

/// <summary>The client reads real API-server answers (client-go dynamic/testdata), replayed byte for byte.</summary>
public sealed class GoldenResponseTests
{
    private static RawHttpServer Replay(string capture) =>
        RawHttpServer.Start(async (_, stream, ct) =>
        {
            var bytes = await File.ReadAllBytesAsync(ReferenceData.Golden(Path.Combine("TestGoldenResponse", "responses", capture)), ct);
            await stream.WriteAsync(bytes, ct);
            await stream.FlushAsync(ct);
        });

    [Fact]
    public async Task Chunked_watch_stream_with_bookmark_parses_into_events()
    {
        await using var server = Replay("events");
        using var client = TestClients.For(server.BaseAddress);
        var events = new List<WatchEvent<ServiceAccount>>();
        await foreach (var e in client.Resource(TestResources.ServiceAccounts).WatchAsync("default", new WatchOptions { ResourceVersion = "0", AllowWatchBookmarks = true }))
        {
            events.Add(e);
        }

        Assert.Equal(2, events.Count);
        Assert.Equal(WatchEventType.Added, events[0].Type);
        Assert.Equal("foobar", events[0].Object!.Metadata!.Name);
        Assert.Equal("a1453396-7a5c-405a-93f9-ff44af8e7689", events[0].Object!.Metadata!.Uid);
        Assert.Equal(new DateTimeOffset(2024, 9, 18, 14, 6, 40, TimeSpan.Zero), events[0].Object!.Metadata!.CreationTimestamp);
        Assert.Equal("217", events[0].ResourceVersion);
        Assert.Equal(WatchEventType.Bookmark, events[1].Type);
        Assert.Equal("964", events[1].ResourceVersion);
        Assert.Equal("true", events[1].Object!.Metadata!.Annotations!["k8s.io/initial-events-end"]);
    }

    [Fact]
    public async Task Bookmark_keeps_its_resource_version_even_when_the_kind_has_required_members()
    {
        var bookmark = File.ReadAllLines(ReferenceData.Golden("TestGoldenResponse/responses/events")).Single(l => l.Contains("BOOKMARK", StringComparison.Ordinal));
        await using var server = RawHttpServer.Start((_, stream, ct) => RawHttpServer.WriteResponseAsync(stream, 200, bookmark + "\n", cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress);
        var crds = new ResourceType<CustomResourceDefinition>(new ApiResource("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false), KubernetesJsonContext.Default.CustomResourceDefinition);
        var events = new List<WatchEvent<CustomResourceDefinition>>();
        await foreach (var e in client.Resource(crds).WatchAsync())
        {
            events.Add(e);
        }

        var only = Assert.Single(events);
        Assert.Equal(WatchEventType.Bookmark, only.Type);
        Assert.Null(only.Object);
        Assert.Equal("964", only.ResourceVersion);
    }

    [Fact]
    public async Task List_capture_parses_items_and_list_metadata()
    {
        await using var server = Replay("list");
        using var client = TestClients.For(server.BaseAddress);
        var list = await client.Resource(TestResources.ServiceAccounts).ListAsync("default");
        Assert.Equal("ServiceAccountList", list.Kind);
        Assert.Equal("222", list.Metadata.ResourceVersion);
        var item = Assert.Single(list.Items);
        Assert.Equal("foobar", item.Metadata!.Name);
        Assert.Equal("207", item.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Get_capture_parses_the_object()
    {
        await using var server = Replay("nonlist");
        using var client = TestClients.For(server.BaseAddress);
        var account = await client.Resource(TestResources.ServiceAccounts).GetAsync("foobar", "default");
        Assert.Equal("ServiceAccount", account.Kind);
        Assert.Equal("v1", account.ApiVersion);
        Assert.Equal("default", account.Metadata!.Namespace);
        Assert.Equal(new DateTimeOffset(2024, 9, 20, 17, 16, 28, TimeSpan.Zero), account.Metadata.CreationTimestamp);
    }

    [Fact]
    public async Task Watch_stream_split_into_tiny_chunks_still_parses()
    {
        var body = await File.ReadAllTextAsync(ReferenceData.Golden("TestGoldenResponse/watch"));
        // The golden 'watch' file is the events as a JSON array; send them as a stream, one byte per write.
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        var frames = string.Concat(doc.RootElement.EnumerateArray().Select(e => e.GetRawText() + "\n"));
        await using var server = RawHttpServer.Start(async (_, stream, ct) =>
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(frames);
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray(), ct);
            foreach (var b in bytes)
            {
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"1\r\n"), ct);
                await stream.WriteAsync(new[] { b }, ct);
                await stream.WriteAsync("\r\n"u8.ToArray(), ct);
                await stream.FlushAsync(ct);
            }

            await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), ct);
        });
        using var client = TestClients.For(server.BaseAddress);
        var types = new List<WatchEventType>();
        await foreach (var e in client.Resource(TestResources.ServiceAccounts).WatchAsync("default"))
        {
            types.Add(e.Type);
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Bookmark], types);
    }
}
