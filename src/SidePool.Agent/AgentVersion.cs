using System.Reflection;

namespace SidePool.Agent;

/// <summary>The agent's version: the build's <c>&lt;Version&gt;</c> (Directory.Build.props), read from AssemblyInformationalVersionAttribute.</summary>
internal static class AgentVersion
{
    public static string Value { get; } =
        typeof(AgentVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
