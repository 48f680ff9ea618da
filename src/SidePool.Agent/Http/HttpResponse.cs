namespace SidePool.Agent.Http;

/// <summary>A complete HTTP response of the health server.</summary>
internal sealed record HttpResponse(int Status, string ContentType, string Body)
{
    public static HttpResponse Text(int status, string body) => new(status, "text/plain; charset=utf-8", body.EndsWith('\n') ? body : body + "\n");
}
