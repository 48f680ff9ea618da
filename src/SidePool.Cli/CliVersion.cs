using System.Reflection;

namespace SidePool.Cli;

/// <summary>The product version (<c>&lt;Version&gt;</c> in Directory.Build.props), as this assembly carries it.</summary>
public static class CliVersion
{
    public static string Current { get; } =
        typeof(CliVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
