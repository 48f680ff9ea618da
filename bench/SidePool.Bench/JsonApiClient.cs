using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Bench;

/// <summary>
/// The Kubernetes API over HTTPS with plain <see cref="HttpClient"/> and <see cref="JsonObject"/>: on purpose none of
/// SidePool's own Kubernetes client or models, so a benchmark gives comparable numbers whichever client the operator
/// is built with. Trusts exactly the server certificate it is given (the fake server's self-signed one).
/// </summary>
internal sealed class JsonApiClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue MergePatch = new("application/merge-patch+json");
    private readonly HttpClient _http;

    public JsonApiClient(Uri baseAddress, X509Certificate2 serverCertificate, TimeSpan? timeout = null)
    {
        var pinned = serverCertificate.GetCertHashString();
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == pinned },
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
    }

    /// <summary>POST; an object that already exists (a retried create) counts as created.</summary>
    public async Task<JsonObject> CreateAsync(string collectionPath, JsonObject body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
                content.Headers.ContentType = Json;
                using var response = await _http.PostAsync(new Uri(collectionPath, UriKind.Relative), content, cancellationToken);
                if (response.StatusCode == HttpStatusCode.Conflict && attempt > 1)
                {
                    var name = body["metadata"]!["name"]!.GetValue<string>();
                    return await GetAsync($"{collectionPath}/{name}", cancellationToken) ?? throw new InvalidOperationException($"{collectionPath}/{name}: 409 on create and 404 on get");
                }

                return await ReadAsync(response, $"POST {collectionPath}", cancellationToken);
            }
            catch (Exception ex) when (attempt < 5 && Transient(ex, cancellationToken))
            {
                await Task.Delay(200 * attempt, cancellationToken);
            }
        }
    }

    /// <summary>POST of a manifest as it is on disk (the fake server, like the real one, takes YAML).</summary>
    public async Task CreateYamlAsync(string collectionPath, string yaml, CancellationToken cancellationToken)
    {
        using var content = new StringContent(yaml, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
        using var response = await _http.PostAsync(new Uri(collectionPath, UriKind.Relative), content, cancellationToken);
        await ReadAsync(response, $"POST {collectionPath}", cancellationToken);
    }

    /// <summary>GET; null if not found.</summary>
    public async Task<JsonObject?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync(response, $"GET {path}", cancellationToken);
    }

    public async Task<JsonObject> MergePatchAsync(string path, JsonObject patch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri(path, UriKind.Relative)) { Content = new StringContent(patch.ToJsonString(), Encoding.UTF8) };
                request.Content.Headers.ContentType = MergePatch;
                using var response = await _http.SendAsync(request, cancellationToken);
                return await ReadAsync(response, $"PATCH {path}", cancellationToken);
            }
            catch (Exception ex) when (attempt < 5 && Transient(ex, cancellationToken))
            {
                await Task.Delay(200 * attempt, cancellationToken);
            }
        }
    }

    /// <summary>Every item of a collection, in pages of <paramref name="pageSize"/>.</summary>
    public async IAsyncEnumerable<JsonObject> ListAsync(string collectionPath, int pageSize = 500, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? next = null;
        do
        {
            var query = $"{collectionPath}?limit={pageSize}" + (next is null ? string.Empty : "&continue=" + Uri.EscapeDataString(next));
            var page = await GetAsync(query, cancellationToken) ?? throw new InvalidOperationException($"GET {collectionPath}: 404");
            foreach (var item in page["items"]?.AsArray() ?? [])
            {
                yield return item!.AsObject();
            }

            next = page["metadata"]?["continue"]?.GetValue<string>() is { Length: > 0 } token ? token : null;
        }
        while (next is not null);
    }

    public void Dispose() => _http.Dispose();

    private static bool Transient(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException or ApiStatusException { Status: >= 500 or 429 };

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new ApiStatusException((int)response.StatusCode, $"{what}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
        }

        return JsonNode.Parse(text)!.AsObject();
    }
}

/// <summary>A non-success answer of the API server.</summary>
internal sealed class ApiStatusException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
