using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using SidePool.Kubernetes.Errors;

namespace SidePool.Kubernetes.Client;

/// <summary>
/// The verbs on one kind over KubernetesClient's generic operations (<see cref="ICustomObjectsOperations"/> serve any
/// group, the core group "" included, by group/version/plural). Objects are read and written with the kind's
/// <see cref="ResourceType{T}"/>; error answers become typed exceptions.
/// </summary>
internal sealed class ResourceClient<T>(IKubernetes api, string defaultNamespace, ResourceType<T> type) : IResourceClient<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private const int DefaultPageSize = 500;

    private ICustomObjectsOperations Ops => api.CustomObjects;

    private string Group => type.Resource.Group;

    private string Version => type.Resource.Version;

    private string Plural => type.Resource.Plural;

    public ApiResource Resource => type.Resource;

    public Task<T> GetAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var ns = SingleNamespace(@namespace);
        return SendAsync($"GET {PathOf(name, ns)}", () => ns is null
            ? Ops.GetClusterCustomObjectWithHttpMessagesAsync(Group, Version, Plural, name, cancellationToken: cancellationToken)
            : Ops.GetNamespacedCustomObjectWithHttpMessagesAsync(Group, Version, ns, Plural, name, cancellationToken: cancellationToken), cancellationToken);
    }

    public async Task<T?> TryGetAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync(name, @namespace, cancellationToken);
        }
        catch (KubernetesNotFoundException)
        {
            return null;
        }
    }

    public async Task<ListPage<T>> ListAsync(string? @namespace = null, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ns = ListNamespace(@namespace);
        var operation = $"GET {PathOf(null, ns)}";
        var body = await CallAsync(operation, () => ns is null
            ? Ops.ListClusterCustomObjectWithHttpMessagesAsync(
                Group, Version, Plural, continueParameter: options?.Continue, fieldSelector: options?.FieldSelector, labelSelector: options?.LabelSelector,
                limit: options?.Limit, resourceVersion: options?.ResourceVersion, resourceVersionMatch: options?.ResourceVersionMatch,
                timeoutSeconds: options?.TimeoutSeconds, cancellationToken: cancellationToken)
            : Ops.ListNamespacedCustomObjectWithHttpMessagesAsync(
                Group, Version, ns, Plural, continueParameter: options?.Continue, fieldSelector: options?.FieldSelector, labelSelector: options?.LabelSelector,
                limit: options?.Limit, resourceVersion: options?.ResourceVersion, resourceVersionMatch: options?.ResourceVersionMatch,
                timeoutSeconds: options?.TimeoutSeconds, cancellationToken: cancellationToken), cancellationToken);
        try
        {
            return ParseList(body);
        }
        catch (JsonException ex)
        {
            throw new KubernetesTransportException($"{operation}: the response is not a valid {type.Resource.Kind}List ({ex.Message}).", ex);
        }
    }

    public async IAsyncEnumerable<T> ListAllAsync(string? @namespace = null, ListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = (options ?? new ListOptions()) with { Limit = options?.Limit ?? DefaultPageSize };
        while (true)
        {
            var list = await ListAsync(@namespace, page, cancellationToken);
            foreach (var item in list.Items)
            {
                yield return item;
            }

            if (string.IsNullOrEmpty(list.Metadata.ContinueProperty))
            {
                yield break;
            }

            page = page with { Continue = list.Metadata.ContinueProperty, ResourceVersion = null, ResourceVersionMatch = null };
        }
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? @namespace = null, WatchOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var ns = ListNamespace(@namespace);
        var operation = $"WATCH {PathOf(null, ns)}";
        Exception? streamError = null;
        var stream = ns is null
            ? Ops.WatchListClusterCustomObjectAsync(
                Group, Version, Plural, allowWatchBookmarks: options?.AllowWatchBookmarks == true ? true : null, fieldSelector: options?.FieldSelector,
                labelSelector: options?.LabelSelector, resourceVersion: options?.ResourceVersion, timeoutSeconds: options?.TimeoutSeconds,
                onError: ex => streamError ??= ex, cancellationToken: cancellationToken)
            : Ops.WatchListNamespacedCustomObjectAsync(
                Group, Version, ns, Plural, allowWatchBookmarks: options?.AllowWatchBookmarks == true ? true : null, fieldSelector: options?.FieldSelector,
                labelSelector: options?.LabelSelector, resourceVersion: options?.ResourceVersion, timeoutSeconds: options?.TimeoutSeconds,
                onError: ex => streamError ??= ex, cancellationToken: cancellationToken);
        await using var events = stream.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            V1Status? inStreamError = null;
            try
            {
                more = await events.MoveNextAsync();
            }
            catch (KubernetesException ex) when (ex.Status is not null)
            {
                // KubernetesClient throws an in-stream ERROR event (410 Expired among them); it is an event here.
                inStreamError = ex.Status;
                more = false;
            }
            catch (HttpOperationException ex)
            {
                throw KubernetesErrorMapper.FromHttpOperation(operation, ex);
            }
            catch (HttpRequestException ex) when (ex.InnerException is EndOfStreamException)
            {
                // KubernetesClient peeks at the first line of a watch before it yields: a watch that ends (timeoutSeconds)
                // before its first event is an empty body, which it reports as an end of stream. It is a quiet end.
                more = false;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or JsonException && !cancellationToken.IsCancellationRequested)
            {
                throw new KubernetesTransportException($"{operation}: the watch stream broke: {ex.Message}", ex);
            }

            // The same ERROR event when KubernetesClient reports it through onError instead.
            if (!more && streamError is KubernetesException { } watchError)
            {
                inStreamError ??= watchError.Status ?? new V1Status { Status = "Failure", Message = watchError.Message };
            }

            if (inStreamError is not null)
            {
                yield return new WatchEvent<T> { Type = WatchEventType.Error, Status = inStreamError };
                yield break;
            }

            if (!more)
            {
                if (streamError is not null && !cancellationToken.IsCancellationRequested)
                {
                    throw streamError is HttpOperationException http
                        ? KubernetesErrorMapper.FromHttpOperation(operation, http)
                        : new KubernetesTransportException($"{operation}: the watch stream broke: {streamError.Message}", streamError);
                }

                yield break;
            }

            var (eventType, body) = events.Current;
            yield return ToEvent(operation, eventType, body);
        }
    }

    public Task<T> CreateAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ns = SingleNamespace(value.Metadata?.NamespaceProperty);
        var body = type.ToJson(value);
        return SendAsync($"POST {PathOf(null, ns)}", () => ns is null
            ? Ops.CreateClusterCustomObjectWithHttpMessagesAsync(body, Group, Version, Plural, DryRun(options?.DryRun), options?.FieldManager, options?.FieldValidation, cancellationToken: cancellationToken)
            : Ops.CreateNamespacedCustomObjectWithHttpMessagesAsync(body, Group, Version, ns, Plural, DryRun(options?.DryRun), options?.FieldManager, options?.FieldValidation, cancellationToken: cancellationToken), cancellationToken);
    }

    public Task<T> ReplaceAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var name = RequireName(value);
        var ns = SingleNamespace(value.Metadata?.NamespaceProperty);
        var body = type.ToJson(value);
        return SendAsync($"PUT {PathOf(name, ns)}", () => ns is null
            ? Ops.ReplaceClusterCustomObjectWithHttpMessagesAsync(body, Group, Version, Plural, name, DryRun(options?.DryRun), options?.FieldManager, options?.FieldValidation, cancellationToken: cancellationToken)
            : Ops.ReplaceNamespacedCustomObjectWithHttpMessagesAsync(body, Group, Version, ns, Plural, name, DryRun(options?.DryRun), options?.FieldManager, options?.FieldValidation, cancellationToken: cancellationToken), cancellationToken);
    }

    public Task<T> ReplaceStatusAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var name = RequireName(value);
        var ns = SingleNamespace(value.Metadata?.NamespaceProperty);
        var body = type.ToJson(value);
        return SendAsync($"PUT {PathOf(name, ns)}/status", () => ns is null
            ? Ops.ReplaceClusterCustomObjectStatusWithHttpMessagesAsync(body, Group, Version, Plural, name, DryRun(options?.DryRun), options?.FieldManager, options?.FieldValidation, cancellationToken: cancellationToken)
            : Ops.ReplaceNamespacedCustomObjectStatusWithHttpMessagesAsync(body, Group, Version, ns, Plural, name, DryRun(options?.DryRun), options?.FieldManager, options?.FieldValidation, cancellationToken: cancellationToken), cancellationToken);
    }

    public Task<T> PatchAsync(string name, string? @namespace, KubernetesPatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var ns = SingleNamespace(@namespace);
        var body = patch.ToV1Patch();
        return SendAsync($"PATCH {PathOf(name, ns)}", () => ns is null
            ? Ops.PatchClusterCustomObjectWithHttpMessagesAsync(body, Group, Version, Plural, name, DryRun(options?.DryRun), options?.FieldManager, options?.FieldValidation, options?.Force, cancellationToken: cancellationToken)
            : Ops.PatchNamespacedCustomObjectWithHttpMessagesAsync(body, Group, Version, ns, Plural, name, DryRun(options?.DryRun), options?.FieldManager, options?.FieldValidation, options?.Force, cancellationToken: cancellationToken), cancellationToken);
    }

    public Task<T> PatchStatusAsync(string name, string? @namespace, KubernetesPatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var ns = SingleNamespace(@namespace);
        var body = patch.ToV1Patch();
        return SendAsync($"PATCH {PathOf(name, ns)}/status", () => ns is null
            ? Ops.PatchClusterCustomObjectStatusWithHttpMessagesAsync(body, Group, Version, Plural, name, DryRun(options?.DryRun), options?.FieldManager, options?.FieldValidation, options?.Force, cancellationToken: cancellationToken)
            : Ops.PatchNamespacedCustomObjectStatusWithHttpMessagesAsync(body, Group, Version, ns, Plural, name, DryRun(options?.DryRun), options?.FieldManager, options?.FieldValidation, options?.Force, cancellationToken: cancellationToken), cancellationToken);
    }

    public Task<T> ApplyAsync(T value, string fieldManager, bool force = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(fieldManager);
        var patch = new KubernetesPatch(PatchType.Apply, type.ToJson(value).ToJsonString());
        return PatchAsync(RequireName(value), value.Metadata?.NamespaceProperty, patch, new PatchOptions { FieldManager = fieldManager, Force = force }, cancellationToken);
    }

    public Task<T> ApplyStatusAsync(T value, string fieldManager, bool force = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(fieldManager);
        var patch = new KubernetesPatch(PatchType.Apply, type.ToJson(value).ToJsonString());
        return PatchStatusAsync(RequireName(value), value.Metadata?.NamespaceProperty, patch, new PatchOptions { FieldManager = fieldManager, Force = force }, cancellationToken);
    }

    public async Task DeleteAsync(string name, string? @namespace = null, V1DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Typed(options);
        var ns = SingleNamespace(@namespace);
        await CallAsync($"DELETE {PathOf(name, ns)}", () => ns is null
            ? Ops.DeleteClusterCustomObjectWithHttpMessagesAsync(Group, Version, Plural, name, options, cancellationToken: cancellationToken)
            : Ops.DeleteNamespacedCustomObjectWithHttpMessagesAsync(Group, Version, ns, Plural, name, options, cancellationToken: cancellationToken), cancellationToken);
    }

    public async Task DeleteCollectionAsync(string? @namespace, ListOptions? selector = null, V1DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ns = ListNamespace(@namespace);
        Typed(options);
        await CallAsync($"DELETE {PathOf(null, ns)}", () => ns is null
            ? Ops.DeleteCollectionClusterCustomObjectWithHttpMessagesAsync(Group, Version, Plural, options, selector?.LabelSelector, cancellationToken: cancellationToken)
            : Ops.DeleteCollectionNamespacedCustomObjectWithHttpMessagesAsync(Group, Version, ns, Plural, options, selector?.LabelSelector, fieldSelector: selector?.FieldSelector, cancellationToken: cancellationToken), cancellationToken);
    }

    private async Task<T> SendAsync(string operation, Func<Task<HttpOperationResponse<object>>> call, CancellationToken cancellationToken)
    {
        var body = await CallAsync(operation, call, cancellationToken);
        try
        {
            return type.FromJson(body);
        }
        catch (JsonException ex)
        {
            throw new KubernetesTransportException($"{operation}: the response is not a valid {type.Resource.Kind} ({ex.Message}).", ex);
        }
    }

    private static async Task<JsonElement> CallAsync(string operation, Func<Task<HttpOperationResponse<object>>> call, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await call();
            return response.Body switch
            {
                JsonElement element => element.Clone(),
                null => default,
                var other => ToElement(other),
            };
        }
        catch (HttpOperationException ex)
        {
            throw KubernetesErrorMapper.FromHttpOperation(operation, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new KubernetesTransportException($"{operation}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubernetesTransportException($"{operation}: no answer within the request timeout.", ex);
        }
    }

    private WatchEvent<T> ToEvent(string operation, WatchEventType eventType, object? body)
    {
        var element = body switch
        {
            JsonElement e => e,
            null => throw new KubernetesTransportException($"{operation}: a {eventType} watch event without an object.", null),
            var other => ToElement(other),
        };
        try
        {
            if (eventType == WatchEventType.Error)
            {
                return new WatchEvent<T> { Type = eventType, Status = KubernetesJson.Deserialize<V1Status>(element) };
            }

            var resourceVersion = element.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null;
            if (eventType == WatchEventType.Bookmark)
            {
                return new WatchEvent<T> { Type = eventType, ResourceVersion = resourceVersion };
            }

            return new WatchEvent<T> { Type = eventType, Object = type.FromJson(element), ResourceVersion = resourceVersion };
        }
        catch (JsonException ex)
        {
            throw new KubernetesTransportException($"{operation}: unreadable watch event ({ex.Message}).", ex);
        }
    }

    private ListPage<T> ParseList(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("not an object");
        }

        var metadata = root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object
            ? KubernetesJson.Deserialize<V1ListMeta>(m) ?? new V1ListMeta()
            : new V1ListMeta();
        var items = new List<T>();
        if (root.TryGetProperty("items", out var itemsElement) && itemsElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in itemsElement.EnumerateArray())
            {
                items.Add(type.FromJson(item));
            }
        }

        return new ListPage<T> { Metadata = metadata, Items = items };
    }

    private string? SingleNamespace(string? @namespace)
    {
        if (!type.Resource.Namespaced)
        {
            return null;
        }

        return string.IsNullOrEmpty(@namespace) ? defaultNamespace : @namespace;
    }

    private string? ListNamespace(string? @namespace) => type.Resource.Namespaced && !string.IsNullOrEmpty(@namespace) ? @namespace : null;

    /// <summary>The request path, for error messages (never a query, which could carry a selector's values).</summary>
    private string PathOf(string? name, string? ns)
    {
        var prefix = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        var collection = ns is null ? $"{prefix}/{Plural}" : $"{prefix}/namespaces/{ns}/{Plural}";
        return name is null ? collection : $"{collection}/{name}";
    }

    /// <summary>DeleteOptions travel with their kind and apiVersion, as kubectl sends them.</summary>
    private static void Typed(V1DeleteOptions? options)
    {
        if (options is not null)
        {
            options.ApiVersion ??= "v1";
            options.Kind ??= "DeleteOptions";
        }
    }

    private static JsonElement ToElement(object value)
    {
        using var document = JsonDocument.Parse(KubernetesJson.Serialize(value));
        return document.RootElement.Clone();
    }

    private static string? DryRun(bool? dryRun) => dryRun == true ? "All" : null;

    private static string RequireName(T value) =>
        value.Metadata?.Name is { Length: > 0 } name ? name : throw new ArgumentException("The object has no metadata.name.", nameof(value));
}
