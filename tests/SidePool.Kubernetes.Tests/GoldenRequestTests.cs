using System.Text.Json.Nodes;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Models;
using SidePool.Kubernetes.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Tests;

/// <summary>
/// Each verb sends the same request line, content type and body as client-go (TestGoldenRequest/*), captured by a local
/// listener. Host and User-Agent differ by design.
/// </summary>
public sealed class GoldenRequestTests : IAsyncLifetime
{
    private RawHttpServer _server = null!;
    private KubernetesClient _client = null!;

    private IResourceClient<Flip> Flips => _client.Resource(TestResources.Flips);

    private static Flip Mips => new() { Metadata = new ObjectMeta { Name = "mips" } };

    public Task InitializeAsync()
    {
        _server = RawHttpServer.Start((request, stream, ct) =>
        {
            var body = request.Path.EndsWith("/flips", StringComparison.Ordinal) && request.Method == "GET" && !request.Target.Contains("watch=true", StringComparison.Ordinal)
                ? """{"kind":"FlipList","apiVersion":"flops/v1alpha1","metadata":{"resourceVersion":"42"},"items":[]}"""
                : request.Target.Contains("watch=true", StringComparison.Ordinal)
                    ? string.Empty
                    : """{"kind":"Status","apiVersion":"v1","status":"Success","metadata":{"name":"mips"}}""";
            return RawHttpServer.WriteResponseAsync(stream, 200, body, cancellationToken: ct);
        });
        _client = TestClients.For(_server.BaseAddress, @namespace: "mops");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Get() => await Check("get", () => Flips.GetAsync("mips", "mops", new GetOptions { ResourceVersion = "42", Subresource = "fin" }));

    [Fact]
    public async Task List() => await Check("list", () => Flips.ListAsync("mops", new ListOptions { ResourceVersion = "42" }));

    [Fact]
    public async Task Watch() => await Check("watch", async () =>
    {
        await foreach (var _ in Flips.WatchAsync("mops", new WatchOptions { ResourceVersion = "42" }))
        {
        }
    });

    [Fact]
    public async Task Create() => await Check("create", () => Flips.CreateAsync(Mips, new WriteOptions { FieldValidation = "warn", Subresource = "fin" }));

    [Fact]
    public async Task Update() => await Check("update", () => Flips.ReplaceAsync(Mips, new WriteOptions { FieldValidation = "warn", Subresource = "fin" }));

    [Fact]
    public async Task UpdateStatus() => await Check("updatestatus", () => Flips.ReplaceStatusAsync(Mips, new WriteOptions { FieldValidation = "warn" }));

    [Fact]
    public async Task Patch() => await Check("patch", () => Flips.PatchAsync("mips", "mops", KubernetesPatch.StrategicMerge(new JsonObject { ["foo"] = "bar" }), new PatchOptions { FieldManager = "baz", Subresource = "fin" }));

    [Fact]
    public async Task Apply() => await Check("apply", () => Flips.PatchAsync("mips", "mops", new KubernetesPatch(PatchType.Apply, """{"metadata":{"name":"mips"}}"""), new PatchOptions { Force = true, Subresource = "fin" }));

    [Fact]
    public async Task ApplyStatus() => await Check("applystatus", () => Flips.PatchStatusAsync("mips", "mops", new KubernetesPatch(PatchType.Apply, """{"metadata":{"name":"mips"}}"""), new PatchOptions { Force = true }));

    [Fact]
    public async Task Delete() => await Check("delete", () => Flips.DeleteAsync("mips", "mops", new DeleteOptions { DryRun = ["All"] }, subresource: "fin"));

    [Fact]
    public async Task DeleteCollection() => await Check("deletecollection", () => Flips.DeleteCollectionAsync("mops", new ListOptions { ResourceVersion = "42" }, new DeleteOptions { DryRun = ["All"] }));

    [Fact]
    public async Task Typed_apply_sends_field_manager_and_force()
    {
        await Flips.ApplyAsync(Mips, "sidepool");
        var request = Assert.Single(_server.Requests);
        Assert.Equal("PATCH /apis/flops/v1alpha1/namespaces/mops/flips/mips?fieldManager=sidepool&force=true HTTP/1.1", request.RequestLine);
        Assert.Equal("application/apply-patch+yaml", request.Header("Content-Type"));
    }

    private async Task Check(string golden, Func<Task> call)
    {
        await call();
        var actual = Assert.Single(_server.Requests);
        var expected = ParseGolden(await File.ReadAllTextAsync(ReferenceData.Golden(Path.Combine("TestGoldenRequest", golden))));

        Assert.Equal(expected.RequestLine, actual.RequestLine);
        Assert.Equal(expected.Headers["Accept"], actual.Header("Accept"));
        Assert.Contains("gzip", actual.Header("Accept-Encoding") ?? string.Empty, StringComparison.Ordinal);
        Assert.Equal(expected.Headers.GetValueOrDefault("Content-Type"), actual.Header("Content-Type"));
        if (expected.Body.Length == 0)
        {
            Assert.Empty(actual.Body);
            return;
        }

        var actualBody = JsonNode.Parse(actual.BodyText)!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected.Body), actualBody), $"body {actualBody.ToJsonString()} != {expected.Body}");
    }

    private static (string RequestLine, Dictionary<string, string> Headers, string Body) ParseGolden(string text)
    {
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = text[..split].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return (lines[0], headers, text[(split + 4)..].Trim());
    }
}
