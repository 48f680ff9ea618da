using System.Net;
using System.Text;
using SidePool.Contract;
using SidePool.Testing;

namespace SidePool.Operator.Tests.Support;

/// <summary>
/// Agents that answer every <c>/budget</c> request (GET or PUT) with one fixed state, on one loopback port
/// (<see cref="Endpoint"/>), for the operator's budget step in tests that need no real agent. Stopping ends it quietly,
/// whatever request was in hand; afterwards nothing answers on the port.
/// </summary>
public sealed class BudgetAgentStub : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _answering;

    private BudgetAgentStub(BudgetState state)
    {
        var port = FreePort.Next();
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _answering = AnswerAsync(Encoding.UTF8.GetBytes(BudgetMessages.ToJson(state)));
    }

    public Uri Endpoint { get; }

    public static BudgetAgentStub Start(BudgetState state) => new(state);

    public async Task StopAsync()
    {
        if (_listener.IsListening)
        {
            _listener.Stop();
        }

        await _answering;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _listener.Close();
    }

    private async Task AnswerAsync(byte[] body)
    {
        while (_listener.IsListening)
        {
            try
            {
                var context = await _listener.GetContextAsync();
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
            {
                if (!_listener.IsListening)
                {
                    return;
                }
            }
        }
    }
}
