using System.Net;
using System.Text;
using System.Text.Json;
using SidePool.Contract;

namespace SidePool.Operator.Budget;

/// <summary>
/// Talks to one agent's <c>/budget</c> (docs/budget.md): signed GET and PUT, each within <see cref="Timeout"/>.
/// The key is never logged. An answer that does not come is "unknown": the caller counts the pod as if the share
/// had been applied.
/// </summary>
public sealed class AgentBudgetClient : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), ConnectTimeout = TimeSpan.FromSeconds(2) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The agent's state; null when it did not answer (or answered something else than its state).</summary>
    public async Task<BudgetState?> GetAsync(Uri agent, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(agent, VersionContract.Budget.Path));
        request.Headers.Add(VersionContract.Budget.SignatureHeader, BudgetMessages.Sign(key, BudgetMessages.GetPayload));
        var (status, state) = await SendAsync(request, cancellationToken);
        return status == HttpStatusCode.OK ? state : null;
    }

    /// <summary>Delivers a share: 200 with the applied state, 409 with the state in force (older epoch), else null.</summary>
    public async Task<(HttpStatusCode? Status, BudgetState? State)> PutAsync(Uri agent, string key, BudgetRequest share, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(BudgetMessages.ToJson(share));
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(agent, VersionContract.Budget.Path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(VersionContract.Budget.SignatureHeader, BudgetMessages.Sign(key, body));
        return await SendAsync(request, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode? Status, BudgetState? State)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            BudgetState? state = null;
            if (response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                state = BudgetMessages.ParseState(text);
            }

            return (response.StatusCode, state);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, null);
        }
    }
}
