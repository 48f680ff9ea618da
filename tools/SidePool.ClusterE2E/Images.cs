namespace SidePool.ClusterE2E;

/// <summary>
/// The SidePool images the cluster runs: <c>&lt;prefix&gt;/&lt;name&gt;:&lt;tag&gt;</c>, by default what images/build.sh
/// builds (<c>localhost/sidepool/{sidecar,operator,loadgen}:dev</c>). The forwarder image is the sandbox's only.
/// </summary>
internal sealed record Images(string Prefix, string Tag)
{
    public const string DefaultPrefix = "localhost/sidepool";
    public const string DefaultTag = "dev";

    /// <summary>The images a real cluster runs: the operator, the sidecar it injects and the scenarios' load generator.</summary>
    public static IReadOnlyList<string> Names { get; } = ["operator", "sidecar", "loadgen"];

    public string Repository(string name) => $"{Prefix.TrimEnd('/')}/{name}";

    public string Reference(string name) => $"{Repository(name)}:{Tag}";
}
