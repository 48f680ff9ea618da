using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

/// <summary>
/// The core is pure: spec in, desired objects, versions, plans and status out. Its compiled code references no file,
/// network, process, clock, environment, console, task or Kubernetes-client API (checked on the IL's type and member
/// references, so a call hidden in any file fails here). Randomness for generated keys and passwords is allowed.
/// </summary>
public sealed class CorePurityTests
{
    private static readonly string[] ForbiddenTypePrefixes =
    [
        "System.IO.", "System.Net.", "System.Diagnostics.Process", "System.Threading.Tasks.", "System.Threading.Timer",
        "System.Console", "System.TimeProvider", "k8s.Kubernetes", "k8s.IKubernetes", "k8s.Watcher",
        "Microsoft.Extensions.Logging.", "Microsoft.Extensions.Hosting.",
    ];

    private static readonly string[] ForbiddenMembers =
    [
        "System.DateTime::get_Now", "System.DateTime::get_UtcNow", "System.DateTimeOffset::get_Now", "System.DateTimeOffset::get_UtcNow",
        "System.Environment::GetEnvironmentVariable", "System.Environment::get_MachineName", "System.Environment::Exit",
        "System.Threading.Thread::Sleep",
    ];

    /// <summary>String helpers of System.IO that touch no file.</summary>
    private static readonly string[] Allowed = ["System.IO.Path::Combine", "System.IO.Path::GetFileName", "System.IO.Path"];

    [Fact]
    public void The_core_assembly_references_no_io_clock_or_client_api()
    {
        Assert.Empty(ForbiddenReferencesOf(typeof(PoolRenderer).Assembly.Location));
    }

    [Fact]
    public void The_contract_assembly_references_no_io_clock_or_client_api()
    {
        Assert.Empty(ForbiddenReferencesOf(typeof(Contract.VersionContract).Assembly.Location));
    }

    [Fact]
    public void The_check_finds_io_where_there_is_some()
    {
        // the testing library starts processes and opens files: the same scan must flag it
        var found = ForbiddenReferencesOf(typeof(Testing.SourceTree).Assembly.Location);

        Assert.Contains(found, r => r.StartsWith("System.IO.File", StringComparison.Ordinal) || r.StartsWith("System.IO.Directory", StringComparison.Ordinal));
        Assert.Contains(found, r => r.StartsWith("System.Threading.Tasks.", StringComparison.Ordinal));
    }

    private static List<string> ForbiddenReferencesOf(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var metadata = pe.GetMetadataReader();
        var references = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in metadata.TypeReferences)
        {
            references.Add(FullName(metadata, handle));
        }

        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind == HandleKind.TypeReference)
            {
                references.Add(FullName(metadata, (TypeReferenceHandle)member.Parent) + "::" + metadata.GetString(member.Name));
            }
        }

        return references
            .Where(r => !Allowed.Contains(r, StringComparer.Ordinal))
            .Where(r => ForbiddenTypePrefixes.Any(p => r.StartsWith(p, StringComparison.Ordinal)) || ForbiddenMembers.Contains(r, StringComparer.Ordinal))
            .ToList();
    }

    private static string FullName(MetadataReader metadata, TypeReferenceHandle handle)
    {
        var type = metadata.GetTypeReference(handle);
        var name = metadata.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? FullName(metadata, (TypeReferenceHandle)type.ResolutionScope) + "+" + name
            : metadata.GetString(type.Namespace) + "." + name;
    }
}
