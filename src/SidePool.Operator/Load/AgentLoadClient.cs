using System.Net;
using System.Text.Json;
using SidePool.Contract;

namespace SidePool.Operator.Load;

/// <summary>Reads one agent's <c>GET /load</c> (unsigned: measurements, no secret) within <see cref="Timeout"/>.</summary>
public sealed class AgentLoadClient : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), ConnectTimeout = TimeSpan.FromSeconds(2) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The report; null when the agent did not answer in time or answered something else (an older agent: 404).</summary>
    public async Task<LoadReport?> GetAsync(Uri agent, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await _http.GetAsync(new Uri(agent, VersionContract.Load.Path), timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "application/json")
            {
                return null;
            }

            return LoadMessages.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
