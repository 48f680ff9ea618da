using System.Runtime.CompilerServices;
using System.Text.Json;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>The verbs on one kind, over a <see cref="KubernetesApiConnection"/>.</summary>
internal sealed class ResourceClient<T>(KubernetesApiConnection connection, ResourceType<T> type) : IResourceClient<T>
    where T : class, IKubernetesObject
{
    private const int DefaultPageSize = 500;

    public ApiResource Resource => type.Resource;

    public Task<T> GetAsync(string name, string? @namespace = null, GetOptions? options = null, CancellationToken cancellationToken = default)
    {
        var query = NewQuery();
        AddIfSet(query, "resourceVersion", options?.ResourceVersion);
        var request = new KubernetesRequest
        {
            Method = HttpMethod.Get,
            Path = ObjectPath(name, SingleNamespace(@namespace), options?.Subresource),
            Query = query,
        };
        return connection.SendAsync(request, type.TypeInfo, cancellationToken);
    }

    public async Task<T?> TryGetAsync(string name, string? @namespace = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync(name, @namespace, null, cancellationToken);
        }
        catch (KubernetesNotFoundException)
        {
            return null;
        }
    }

    public async Task<KubernetesList<T>> ListAsync(string? @namespace = null, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new KubernetesRequest { Method = HttpMethod.Get, Path = CollectionPath(@namespace), Query = ListQuery(options) };
        using var response = await connection.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        try
        {
            return ParseList(bytes);
        }
        catch (JsonException ex)
        {
            throw new KubernetesTransportException($"{request.Describe()}: the response is not a valid {type.Resource.Kind}List ({ex.Path}).", ex);
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

            if (string.IsNullOrEmpty(list.Metadata.Continue))
            {
                yield break;
            }

            page = page with { Continue = list.Metadata.Continue, ResourceVersion = null, ResourceVersionMatch = null };
        }
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? @namespace = null, WatchOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = NewQuery();
        query["watch"] = "true";
        AddIfSet(query, "resourceVersion", options?.ResourceVersion);
        AddIfSet(query, "labelSelector", options?.LabelSelector);
        AddIfSet(query, "fieldSelector", options?.FieldSelector);
        if (options?.AllowWatchBookmarks == true)
        {
            query["allowWatchBookmarks"] = "true";
        }

        AddIfSet(query, "timeoutSeconds", options?.TimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var request = new KubernetesRequest { Method = HttpMethod.Get, Path = CollectionPath(@namespace), Query = query, Streaming = true };
        using var response = await connection.SendAsync(request, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var framer = new JsonStreamFramer();
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(framer.GetWriteMemory(), cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                throw new KubernetesTransportException($"{request.Describe()}: the watch stream broke: {ex.Message}", ex);
            }

            if (read == 0)
            {
                if (framer.HasPartialDocument)
                {
                    throw new KubernetesTransportException($"{request.Describe()}: the watch stream ended inside an event.", null);
                }

                yield break;
            }

            framer.Advance(read);
            while (framer.TryReadDocument(out var frame))
            {
                WatchEvent<T> watchEvent;
                try
                {
                    watchEvent = WatchEventParser.Parse(frame, type.TypeInfo);
                }
                catch (JsonException ex)
                {
                    throw new KubernetesTransportException($"{request.Describe()}: unreadable watch event ({ex.Message}).", ex);
                }

                yield return watchEvent;
            }
        }
    }

    public Task<T> CreateAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var ns = SingleNamespace(value.Metadata?.Namespace);
        var path = options?.Subresource is null
            ? CollectionPath(ns)
            : ObjectPath(RequireName(value), ns, options.Subresource);
        return SendBodyAsync(HttpMethod.Post, path, WriteQuery(options), Serialize(value), "application/json", cancellationToken);
    }

    public Task<T> ReplaceAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        SendBodyAsync(HttpMethod.Put, ObjectPath(RequireName(value), SingleNamespace(value.Metadata?.Namespace), options?.Subresource), WriteQuery(options), Serialize(value), "application/json", cancellationToken);

    public Task<T> ReplaceStatusAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        ReplaceAsync(value, (options ?? new WriteOptions()) with { Subresource = "status" }, cancellationToken);

    public Task<T> PatchAsync(string name, string? @namespace, KubernetesPatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        var query = NewQuery();
        AddIfSet(query, "fieldManager", options?.FieldManager);
        AddIfSet(query, "fieldValidation", options?.FieldValidation);
        if (options?.Force is { } force)
        {
            query["force"] = force ? "true" : "false";
        }

        if (options?.DryRun == true)
        {
            query["dryRun"] = "All";
        }

        return SendBodyAsync(HttpMethod.Patch, ObjectPath(name, SingleNamespace(@namespace), options?.Subresource), query, patch.GetBytes(), patch.ContentType, cancellationToken);
    }

    public Task<T> PatchStatusAsync(string name, string? @namespace, KubernetesPatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default) =>
        PatchAsync(name, @namespace, patch, (options ?? new PatchOptions()) with { Subresource = "status" }, cancellationToken);

    public Task<T> ApplyAsync(T value, string fieldManager, bool force = true, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(value, fieldManager, force, null, cancellationToken);

    public Task<T> ApplyStatusAsync(T value, string fieldManager, bool force = true, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(value, fieldManager, force, "status", cancellationToken);

    public async Task DeleteAsync(string name, string? @namespace = null, DeleteOptions? options = null, string? subresource = null, CancellationToken cancellationToken = default)
    {
        var request = new KubernetesRequest
        {
            Method = HttpMethod.Delete,
            Path = ObjectPath(name, SingleNamespace(@namespace), subresource),
            Body = options is null ? null : JsonSerializer.SerializeToUtf8Bytes(options, KubernetesJsonContext.Default.DeleteOptions),
            ContentType = "application/json",
        };
        using var response = await connection.SendAsync(request, cancellationToken);
    }

    public async Task DeleteCollectionAsync(string? @namespace, ListOptions? selector = null, DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new KubernetesRequest
        {
            Method = HttpMethod.Delete,
            Path = CollectionPath(@namespace),
            Query = ListQuery(selector),
            Body = options is null ? null : JsonSerializer.SerializeToUtf8Bytes(options, KubernetesJsonContext.Default.DeleteOptions),
            ContentType = "application/json",
        };
        using var response = await connection.SendAsync(request, cancellationToken);
    }

    private Task<T> ApplyCoreAsync(T value, string fieldManager, bool force, string? subresource, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(fieldManager);
        var patch = new KubernetesPatch(PatchType.Apply, System.Text.Encoding.UTF8.GetString(Serialize(value)));
        return PatchAsync(RequireName(value), value.Metadata?.Namespace, patch, new PatchOptions { FieldManager = fieldManager, Force = force, Subresource = subresource }, cancellationToken);
    }

    private Task<T> SendBodyAsync(HttpMethod method, string path, SortedDictionary<string, string> query, byte[] body, string contentType, CancellationToken cancellationToken) =>
        connection.SendAsync(new KubernetesRequest { Method = method, Path = path, Query = query, Body = body, ContentType = contentType }, type.TypeInfo, cancellationToken);

    private byte[] Serialize(T value) => JsonSerializer.SerializeToUtf8Bytes(value, type.TypeInfo);

    private KubernetesList<T> ParseList(byte[] bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        var metadata = root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object
            ? m.Deserialize(KubernetesJsonContext.Default.ListMeta) ?? new ListMeta()
            : new ListMeta();
        var items = new List<T>();
        if (root.TryGetProperty("items", out var itemsElement) && itemsElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in itemsElement.EnumerateArray())
            {
                items.Add(item.Deserialize(type.TypeInfo) ?? throw new JsonException("null list item"));
            }
        }

        return new KubernetesList<T>
        {
            ApiVersion = root.TryGetProperty("apiVersion", out var a) ? a.GetString() : null,
            Kind = root.TryGetProperty("kind", out var k) ? k.GetString() : null,
            Metadata = metadata,
            Items = items,
        };
    }

    private string? SingleNamespace(string? @namespace)
    {
        if (!type.Resource.Namespaced)
        {
            return null;
        }

        return string.IsNullOrEmpty(@namespace) ? connection.Settings.Namespace : @namespace;
    }

    private string CollectionPath(string? @namespace)
    {
        var prefix = type.Resource.Group.Length == 0 ? $"/api/{type.Resource.Version}" : $"/apis/{type.Resource.Group}/{type.Resource.Version}";
        return type.Resource.Namespaced && !string.IsNullOrEmpty(@namespace)
            ? $"{prefix}/namespaces/{Uri.EscapeDataString(@namespace)}/{type.Resource.Plural}"
            : $"{prefix}/{type.Resource.Plural}";
    }

    private string ObjectPath(string name, string? @namespace, string? subresource)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var path = $"{CollectionPath(@namespace)}/{Uri.EscapeDataString(name)}";
        return subresource is null ? path : $"{path}/{subresource}";
    }

    private static string RequireName(T value) =>
        value.Metadata?.Name is { Length: > 0 } name ? name : throw new ArgumentException("The object has no metadata.name.", nameof(value));

    private static SortedDictionary<string, string> NewQuery() => new(StringComparer.Ordinal);

    private static void AddIfSet(SortedDictionary<string, string> query, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query[key] = value;
        }
    }

    private static SortedDictionary<string, string> WriteQuery(WriteOptions? options)
    {
        var query = NewQuery();
        AddIfSet(query, "fieldManager", options?.FieldManager);
        AddIfSet(query, "fieldValidation", options?.FieldValidation);
        if (options?.DryRun == true)
        {
            query["dryRun"] = "All";
        }

        return query;
    }

    private static SortedDictionary<string, string> ListQuery(ListOptions? options)
    {
        var query = NewQuery();
        AddIfSet(query, "labelSelector", options?.LabelSelector);
        AddIfSet(query, "fieldSelector", options?.FieldSelector);
        AddIfSet(query, "limit", options?.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AddIfSet(query, "continue", options?.Continue);
        AddIfSet(query, "resourceVersion", options?.ResourceVersion);
        AddIfSet(query, "resourceVersionMatch", options?.ResourceVersionMatch);
        AddIfSet(query, "timeoutSeconds", options?.TimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return query;
    }
}
