using System.Reflection;

namespace SidePool.Operator.Hosting;

/// <summary>The product version (<c>&lt;Version&gt;</c> in Directory.Build.props), as this assembly carries it.</summary>
public static class OperatorVersion
{
    public static string Current { get; } =
        typeof(OperatorVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
