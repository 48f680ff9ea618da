using System.Reflection;

namespace SidePool.Api;

/// <summary>
/// The one product version every SidePool executable prints for <c>--version</c>: <c>&lt;Version&gt;</c> in
/// Directory.Build.props, which every assembly of the build carries as its AssemblyInformationalVersion. Read from this
/// assembly, so that it is the same when the entry assembly is another (tests, embedding).
/// </summary>
public static class ProductVersion
{
    public static string Current { get; } =
        typeof(ProductVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
