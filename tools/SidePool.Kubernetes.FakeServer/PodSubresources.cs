using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// The pod subresources a node needs: <c>pods/binding</c> (POST, the scheduler's write) and <c>pods/log</c> (GET,
/// <c>kubectl logs [-f]</c>, streamed by the node's kubelet through <see cref="FakeApiServerOptions.PodLogs"/>).
/// </summary>
internal sealed class PodSubresources(ResourceOperations operations, FakeApiServerOptions options)
{
    public Task ServeAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken) =>
        (request.Subresource, request.Verb) switch
        {
            ("binding", "create") => BindAsync(context, request, cancellationToken),
            ("log", "get") => LogAsync(context, request, cancellationToken),
            _ => throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource"),
        };

    /// <summary>
    /// <c>POST …/pods/NAME/binding</c> with a <c>Binding</c> (<c>target.kind</c> Node): sets <c>spec.nodeName</c> and
    /// PodScheduled, answers <c>Status</c> Success 201; 409 for a pod already bound or being deleted, as the real registry.
    /// </summary>
    private async Task BindAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name!;
        var body = JsonNodes.ParseObject(await new StreamReader(context.Request.Body).ReadToEndAsync(cancellationToken));
        var target = body["target"] as JsonObject;
        var node = JsonNodes.GetString(target, "name");
        if (string.IsNullOrEmpty(node) || (JsonNodes.GetString(target, "kind") is { Length: > 0 } kind && kind != "Node"))
        {
            throw new ApiException(422, "Invalid", $"Binding.core \"{name}\" is invalid: target: Invalid value: a Binding's target must be a Node", new JsonObject { ["name"] = name, ["kind"] = "Binding" });
        }

        if (JsonNodes.MetaString(body, "name") is { Length: > 0 } bodyName && bodyName != name)
        {
            throw ApiException.BadRequest($"name in URL does not match name in Binding object: {name} != {bodyName}");
        }

        var pod = operations.Get(request.Definition, request.Namespace, name);
        if (pod["metadata"]?["deletionTimestamp"] is not null)
        {
            throw ApiException.Conflict(request.Definition, name, $"pod {name} is being deleted, cannot be assigned to a host");
        }

        if (JsonNodes.GetString(pod["spec"], "nodeName") is { Length: > 0 } assigned)
        {
            throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{assigned}\"", new JsonObject { ["name"] = name, ["kind"] = "pods/binding" });
        }

        if (operations.BindPod(request.Definition, request.Namespace!, name, node) is null)
        {
            throw ApiException.Conflict(request.Definition, name, $"pod {name} could not be assigned to node \"{node}\"");
        }

        await JsonOutput.WriteAsync(context, 201, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 }, cancellationToken);
    }

    /// <summary>
    /// <c>GET …/pods/NAME/log?container=&amp;follow=&amp;previous=&amp;tailLines=&amp;timestamps=</c>: the container is
    /// validated (and defaulted for a single-container pod) with the real server's messages, then the kubelet streams.
    /// </summary>
    private async Task LogAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        var name = request.Name!;
        var query = context.Request.Query;
        var pod = operations.Get(request.Definition, request.Namespace, name);
        var containers = Names(pod["spec"]?["containers"]);
        var initContainers = Names(pod["spec"]?["initContainers"]);
        var container = query["container"].ToString();
        if (container.Length == 0)
        {
            if (containers.Count != 1)
            {
                var init = initContainers.Count > 0 ? $" or one of the init containers: [{string.Join(' ', initContainers)}]" : string.Empty;
                throw ApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', containers)}]{init}");
            }

            container = containers[0];
        }
        else if (!containers.Contains(container) && !initContainers.Contains(container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {name}");
        }

        var source = options.PodLogs ?? throw ApiException.BadRequest($"no kubelet serves logs for pod {name}: the server runs without one");
        if (string.IsNullOrEmpty(JsonNodes.GetString(pod["spec"], "nodeName")))
        {
            throw ApiException.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: the pod is not scheduled");
        }

        long? tail = long.TryParse(query["tailLines"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var lines) ? lines : null;
        var logRequest = new PodLogRequest(
            request.Namespace!,
            name,
            JsonNodes.MetaString(pod, "uid") ?? string.Empty,
            container,
            Follow: IsTrue(query["follow"].ToString()),
            Previous: IsTrue(query["previous"].ToString()),
            tail,
            Timestamps: IsTrue(query["timestamps"].ToString()));
        var body = new LogBody(context);
        try
        {
            await source(logRequest, body, cancellationToken);
            await body.FlushAsync(cancellationToken); // an empty log is a 200 with an empty body
        }
        catch (PodLogUnavailableException unavailable) when (!context.Response.HasStarted)
        {
            throw ApiException.BadRequest(unavailable.Message);
        }
    }

    private static bool IsTrue(string value) => value is "true" or "1";

    private static List<string> Names(JsonNode? containers) =>
        (containers as JsonArray)?.OfType<JsonObject>().Select(c => JsonNodes.GetString(c, "name") ?? string.Empty).ToList() ?? [];

    /// <summary>The response body, started (200, text/plain) at the first write, flushed after every write: a follower sees each line as it comes.</summary>
    private sealed class LogBody(HttpContext context) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => StartAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("write asynchronously");

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await StartAsync(cancellationToken);
            await context.Response.Body.WriteAsync(buffer, cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = 200;
                context.Response.ContentType = "text/plain";
                await context.Response.StartAsync(cancellationToken);
            }
        }
    }
}
