using System.Net;
using System.Text;
using SidePool.Contract;

namespace SidePool.Operator.Tests.Support;

/// <summary>
/// Agents that answer every <c>/budget</c> request (GET or PUT) with one fixed state, on one loopback port, for the
/// operator's budget step in tests that need no real agent. Stopping the listener ends it quietly, whatever request was
/// in hand.
/// </summary>
public static class BudgetAgentStub
{
    public static async Task AnswerAsync(HttpListener listener, BudgetState state)
    {
        var body = Encoding.UTF8.GetBytes(BudgetMessages.ToJson(state));
        while (listener.IsListening)
        {
            try
            {
                var context = await listener.GetContextAsync();
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
            {
                if (!listener.IsListening)
                {
                    return;
                }
            }
        }
    }
}
