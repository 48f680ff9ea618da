using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Tests.Support;

/// <summary>A minimal raw HTTP client for the fake server: JSON in, status code and JSON out.</summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(FakeApiServer server, string? token = null, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = server.BaseAddress;
        _http.Timeout = TimeSpan.FromSeconds(30);
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public HttpClient Http => _http;

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json", string? accept = null, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null || rawBody is not null)
        {
            request.Content = new StringContent(rawBody ?? body!.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 && text[0] == '{' ? JsonNode.Parse(text)!.AsObject() : new JsonObject();
        return new ApiResponse(response.StatusCode, json, response.Headers);
    }

    public Task<ApiResponse> GetAsync(string path, string? accept = null) => SendAsync(HttpMethod.Get, path, accept: accept);

    public Task<ApiResponse> PostAsync(string path, JsonNode body) => SendAsync(HttpMethod.Post, path, body);

    public Task<ApiResponse> PutAsync(string path, JsonNode body) => SendAsync(HttpMethod.Put, path, body);

    public Task<ApiResponse> DeleteAsync(string path, JsonNode? body = null) => SendAsync(HttpMethod.Delete, path, body);

    public Task<ApiResponse> PatchAsync(string path, string contentType, string body) =>
        SendAsync(HttpMethod.Patch, path, contentType: contentType, rawBody: body);

    /// <summary>Creates and asserts 201.</summary>
    public async Task<JsonObject> CreateAsync(string collectionPath, JsonObject body)
    {
        var response = await PostAsync(collectionPath, body);
        Assert.True(response.Status == HttpStatusCode.Created, $"create {collectionPath}: {(int)response.Status} {response.Body.ToJsonString()}");
        return response.Body;
    }

    /// <summary>Opens a watch stream.</summary>
    public async Task<WatchReader> WatchAsync(string pathAndQuery)
    {
        var response = await _http.GetAsync(pathAndQuery, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new WatchReader(response, await response.Content.ReadAsStreamAsync());
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A response: status code, JSON body (empty object when the body is not JSON) and headers.</summary>
internal sealed record ApiResponse(HttpStatusCode Status, JsonObject Body, HttpResponseHeaders Headers)
{
    public string? Reason => Body["reason"]?.GetValue<string>();

    public string ResourceVersion => Body["metadata"]!["resourceVersion"]!.GetValue<string>();
}
