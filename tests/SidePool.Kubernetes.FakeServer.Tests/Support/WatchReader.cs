using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Tests.Support;

/// <summary>Reads newline-delimited watch events.</summary>
internal sealed class WatchReader : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    public WatchReader(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream);
    }

    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    /// <summary>The next event, or null when the server closed the stream. Fails the test on timeout.</summary>
    public async Task<JsonObject?> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var line = await _reader.ReadLineAsync(cts.Token);
        return line is null ? null : JsonNode.Parse(line)!.AsObject();
    }

    /// <summary>The next event that is not a BOOKMARK.</summary>
    public async Task<JsonObject?> NextNonBookmarkAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var e = await NextAsync(timeout);
            if (e is null || e["type"]!.GetValue<string>() != "BOOKMARK")
            {
                return e;
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
