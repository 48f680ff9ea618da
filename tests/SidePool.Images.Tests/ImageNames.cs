namespace SidePool.Images.Tests;

/// <summary>SidePool's images (images/&lt;name&gt;), tagged localhost/sidepool/&lt;name&gt;:dev by images/build.sh.</summary>
internal static class ImageNames
{
    public const string Sidecar = "sidecar";
    public const string Operator = "operator";
    public const string LoadGen = "loadgen";
    public const string Forwarder = "forwarder";

    public static readonly IReadOnlyList<string> All = [Sidecar, Operator, LoadGen, Forwarder];

    public static string Reference(string name) => $"localhost/sidepool/{name}:dev";
}
