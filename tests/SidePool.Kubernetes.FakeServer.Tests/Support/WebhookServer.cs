using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SidePool.Kubernetes.FakeServer.Tests.Support;

/// <summary>
/// A tiny HTTPS admission webhook for tests (Kestrel on 127.0.0.1): each path answers AdmissionReviews through a handler;
/// every review received is recorded.
/// </summary>
internal sealed class WebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<JsonObject, Task<WebhookAnswer>>> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Path, JsonObject Review)> _received = new();

    private WebhookServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Reviews received, in arrival order.</summary>
    public IReadOnlyList<(string Path, JsonObject Review)> Received => _received.ToList();

    public IReadOnlyList<JsonObject> ReceivedAt(string path) => _received.Where(r => r.Path == path).Select(r => r.Review).ToList();

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public static async Task<WebhookServer> StartAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        WebhookServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new WebhookServer(app, new Uri($"https://127.0.0.1:{new Uri(address).Port}/"));
        return server;
    }

    public void Handle(string path, Func<JsonObject, Task<WebhookAnswer>> handler) => _handlers[path] = handler;

    public void Handle(string path, Func<JsonObject, WebhookAnswer> handler) => _handlers[path] = review => Task.FromResult(handler(review));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var review = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
        var path = context.Request.Path.Value ?? "/";
        _received.Enqueue((path, review));
        if (!_handlers.TryGetValue(path, out var handler))
        {
            context.Response.StatusCode = 404;
            return;
        }

        var answer = await handler(review);
        var response = new JsonObject
        {
            ["uid"] = answer.Uid ?? review["request"]!["uid"]!.GetValue<string>(),
            ["allowed"] = answer.Allowed,
        };
        if (answer.Patch is not null)
        {
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(answer.Patch.ToJsonString()));
        }

        if (answer.Status is not null)
        {
            response["status"] = answer.Status;
        }

        if (answer.Warnings is { Count: > 0 })
        {
            response["warnings"] = new JsonArray(answer.Warnings.Select(w => (JsonNode?)w).ToArray());
        }

        var body = new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}

/// <summary>What the test webhook answers.</summary>
internal sealed record WebhookAnswer(bool Allowed = true, JsonArray? Patch = null, JsonObject? Status = null, IReadOnlyList<string>? Warnings = null, string? Uid = null)
{
    public static WebhookAnswer Allow() => new();
}
