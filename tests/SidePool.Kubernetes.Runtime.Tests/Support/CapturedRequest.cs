using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SidePool.Kubernetes.Runtime.Tests.Support;

/// <summary>One HTTP request as it arrived on the wire.</summary>
public sealed record CapturedRequest(string RequestLine, IReadOnlyDictionary<string, string> Headers, byte[] Body, X509Certificate2? ClientCertificate)
{
    public string Method => RequestLine.Split(' ')[0];
    public string Target => RequestLine.Split(' ')[1];
    public string Path => Target.Split('?')[0];
    public string BodyText => Encoding.UTF8.GetString(Body);
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
