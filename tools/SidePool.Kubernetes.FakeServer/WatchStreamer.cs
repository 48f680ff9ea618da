using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Serves <c>?watch=true</c>: newline-delimited JSON events over a chunked response. Supports <c>resourceVersion</c>
/// (replay from the retained history; too old = an in-stream ERROR event with a 410 Expired Status),
/// <c>allowWatchBookmarks</c> (periodic BOOKMARK events), <c>sendInitialEvents</c> (ADDED for the current state followed by a
/// BOOKMARK annotated <c>k8s.io/initial-events-end</c>), <c>timeoutSeconds</c>, label/field selectors (objects leaving the
/// selection are sent as DELETED) and Table output.
/// </summary>
internal sealed class WatchStreamer
{
    private readonly ResourceOperations _operations;
    private readonly FaultInjector _faults;
    private readonly FakeApiServerOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;

    public WatchStreamer(ResourceOperations operations, FaultInjector faults, FakeApiServerOptions options, TimeProvider time, CancellationToken stopping)
    {
        _operations = operations;
        _faults = faults;
        _options = options;
        _time = time;
        _stopping = stopping;
    }

    public async Task StreamAsync(HttpContext context, ResourceRequest request, ListOptions selection, bool table, string includeObject, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var definition = request.Definition;
        var store = _operations.Store;
        var resourceVersion = query["resourceVersion"].ToString();
        var bookmarks = query["allowWatchBookmarks"].ToString() is "true" or "1";
        var sendInitialEvents = query["sendInitialEvents"].ToString() is "true" or "1";
        long? from = null;
        if (!sendInitialEvents && resourceVersion is not ("" or "0"))
        {
            from = long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw ApiException.BadRequest($"invalid resource version: {resourceVersion}");
        }

        WatchSubscription? subscription;
        List<JsonObject> initial = [];
        long startVersion;
        lock (store.SyncRoot)
        {
            subscription = store.Subscribe(definition.StorageKey, request.Namespace, from);
            startVersion = store.ResourceVersion;
            if (subscription is not null && from is null)
            {
                initial = store.List(definition, request.Namespace).Select(kv => kv.Value).ToList();
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-cache, private";
        if (subscription is null)
        {
            var expired = StatusObjects.Failure(410, "Expired", $"too old resource version: {from} ({store.OldestWatchable + 1})");
            await WriteEventAsync(context, "ERROR", expired, cancellationToken);
            return;
        }

        using var watchEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping, subscription.Dropped.Token);
        if (query["timeoutSeconds"] is { Count: > 0 } timeout && int.TryParse(timeout.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            watchEnd.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        var injectedDrop = false;
        using var dropRegistration = _faults.OnDropAll(() =>
        {
            injectedDrop = true;
            subscription.Dropped.Cancel();
        });
        var sent = 0;
        var lastSent = from ?? startVersion;
        try
        {
            await context.Response.Body.FlushAsync(watchEnd.Token);
            foreach (var obj in initial)
            {
                if (Matches(obj, selection))
                {
                    await WriteObjectEventAsync(context, definition, "ADDED", obj, table, includeObject, watchEnd.Token);
                    if (LimitReached(++sent))
                    {
                        injectedDrop = true;
                        return;
                    }
                }
            }

            if (sendInitialEvents && bookmarks)
            {
                await WriteEventAsync(context, "BOOKMARK", Bookmark(definition, startVersion, initialEventsEnd: true), watchEnd.Token);
            }

            while (true)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(watchEnd.Token);
                if (bookmarks)
                {
                    tick.CancelAfter(_options.BookmarkInterval);
                }

                StoredEvent stored;
                try
                {
                    stored = await subscription.Events.ReadAsync(tick.Token);
                }
                catch (OperationCanceledException) when (!watchEnd.IsCancellationRequested)
                {
                    long bookmarkVersion;
                    lock (store.SyncRoot)
                    {
                        bookmarkVersion = subscription.Events.Count == 0 ? store.ResourceVersion : lastSent;
                    }

                    await WriteEventAsync(context, "BOOKMARK", Bookmark(definition, bookmarkVersion, initialEventsEnd: false), watchEnd.Token);
                    continue;
                }

                lastSent = stored.ResourceVersion;
                var type = Translate(stored, selection);
                if (type is null)
                {
                    continue;
                }

                await WriteObjectEventAsync(context, definition, type, stored.Object, table, includeObject, watchEnd.Token);
                if (LimitReached(++sent))
                {
                    injectedDrop = true;
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // end of the watch: timeout, client gone, server stopping or dropped
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }
        finally
        {
            lock (store.SyncRoot)
            {
                store.Unsubscribe(subscription);
            }

            if (injectedDrop)
            {
                _faults.WatchDropped();
            }
        }
    }

    private bool LimitReached(int sent) => _faults.WatchEventLimit is { } limit && sent >= limit;

    private static bool Matches(JsonObject obj, ListOptions selection) =>
        selection.FieldSelector.Matches(obj) && selection.LabelSelector.Matches(JsonNodes.Labels(obj));

    private static string? Translate(StoredEvent stored, ListOptions selection)
    {
        var now = Matches(stored.Object, selection);
        var before = stored.Previous is not null && Matches(stored.Previous, selection);
        return stored.Type switch
        {
            "ADDED" => now ? "ADDED" : null,
            "DELETED" => before || now ? "DELETED" : null,
            _ when now && before => "MODIFIED",
            _ when now => "ADDED",
            _ when before => "DELETED",
            _ => null,
        };
    }

    private static JsonObject Bookmark(ResourceDefinition definition, long resourceVersion, bool initialEventsEnd)
    {
        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        return new JsonObject { ["kind"] = definition.Kind, ["apiVersion"] = definition.ApiVersion, ["metadata"] = metadata };
    }

    private Task WriteObjectEventAsync(HttpContext context, ResourceDefinition definition, string type, JsonObject obj, bool table, string includeObject, CancellationToken cancellationToken)
    {
        var output = obj.DeepClone().AsObject();
        output["apiVersion"] = definition.ApiVersion;
        JsonNode payload = table
            ? TableConverter.Convert(definition, [output], JsonNodes.MetaString(output, "resourceVersion") ?? string.Empty, null, includeObject, _time.GetUtcNow())
            : output;
        return WriteEventAsync(context, type, payload, cancellationToken);
    }

    private static async Task WriteEventAsync(HttpContext context, string type, JsonNode payload, CancellationToken cancellationToken)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = payload.DeepClone() }.ToJsonString(JsonOutput.Options) + "\n";
        await context.Response.WriteAsync(line, cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
