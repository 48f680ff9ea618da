using System.Reflection;
using SidePool.Contract;
using SidePool.Testing;
using Xunit;

namespace SidePool.Core.Tests;

/// <summary>docs/contract.md documents every name of the pod/version contract, as the code spells it.</summary>
public sealed class ContractDocsTests
{
    private const string Pool = "orders";
    private const string Version = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly string Doc = File.ReadAllText(SourceTree.PathOf("docs", "contract.md"));

    public static TheoryData<string, string> ConstantNames()
    {
        var data = new TheoryData<string, string>();
        foreach (var type in new[] { typeof(VersionContract) }.Concat(typeof(VersionContract).GetNestedTypes()))
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)))
            {
                data.Add($"{type.Name}.{field.Name}", (string)field.GetRawConstantValue()!);
            }
        }

        return data;
    }

    public static TheoryData<string, string> DerivedNames() => new()
    {
        { "Secrets.Key", VersionContract.Secrets.Key(Pool) },
        { "Secrets.Client", VersionContract.Secrets.Client(Pool) },
        { "Secrets.Version", VersionContract.Secrets.Version(Pool, Version) },
        { "Labels.PodPool", VersionContract.Labels.PodPool(Pool) },
        { "Annotations.TemplateVersion", VersionContract.Annotations.TemplateVersion(Pool) },
        { "Annotations.Repair", VersionContract.Annotations.Repair(Pool) },
        { "Sidecar.Container", VersionContract.Sidecar.Container(Pool) },
        { "Sidecar.ConfigVolume", VersionContract.Sidecar.ConfigVolume(Pool) },
        { "Sidecar.SocketVolume", VersionContract.Sidecar.SocketVolume(Pool) },
        { "Sidecar.StateVolume", VersionContract.Sidecar.StateVolume(Pool) },
        { "Sidecar.CaVolume", VersionContract.Sidecar.CaVolume(Pool) },
        { "SidecarLayout.ConfigDirectory", SidecarLayout.For(Pool).ConfigDirectory },
        { "SidecarLayout.SocketDirectory", SidecarLayout.For(Pool).SocketDirectory },
        { "SidecarLayout.RuntimeDirectory", SidecarLayout.For(Pool).RuntimeDirectory },
        { "SidecarLayout.AppCaFile", SidecarLayout.For(Pool).AppCaFile },
    };

    [Theory]
    [MemberData(nameof(ConstantNames))]
    public void Every_constant_of_the_contract_is_documented(string member, string value)
    {
        Assert.True(Doc.Contains($"`{value}`", StringComparison.Ordinal), $"docs/contract.md does not mention {member} = `{value}`");
    }

    [Theory]
    [MemberData(nameof(DerivedNames))]
    public void Every_derived_name_is_documented_with_its_example(string member, string example)
    {
        Assert.True(Doc.Contains(example, StringComparison.Ordinal), $"docs/contract.md does not show {member} for pool {Pool}: `{example}`");
    }

    [Fact]
    public void Every_name_function_of_the_contract_has_an_example_here()
    {
        var covered = DerivedNames().Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        var functions = typeof(VersionContract).GetNestedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(string) && m.GetParameters() is [{ Name: "pool" or "poolName" }] or [{ Name: "pool" }, { Name: "version" }])
                .Select(m => $"{t.Name}.{m.Name}"));

        Assert.DoesNotContain(functions, f => !covered.Contains(f));
    }

    [Fact]
    public void Long_pool_names_stay_within_63_characters_and_distinct()
    {
        var a = new string('a', 70);
        var b = new string('a', 69) + "b";

        foreach (var name in new Func<string, string>[] { VersionContract.Sidecar.Container, VersionContract.Sidecar.ConfigVolume, n => VersionContract.Labels.PodPool(n)[VersionContract.Labels.PodPoolPrefix.Length..], n => VersionContract.Annotations.TemplateVersion(n)["sidepool.dev/".Length..] })
        {
            Assert.True(name(a).Length <= 63, name(a));
            Assert.NotEqual(name(a), name(b));
        }
    }

    [Fact]
    public void Version_secret_names_round_trip_to_their_short_version()
    {
        Assert.Equal("0123456789", VersionContract.Secrets.ShortVersionOf(Pool, VersionContract.Secrets.Version(Pool, Version)));
        Assert.Null(VersionContract.Secrets.ShortVersionOf(Pool, Pool + "-key"));
        Assert.Null(VersionContract.Secrets.ShortVersionOf(Pool, "other-0123456789"));
    }

    [Fact]
    public void The_agent_config_json_is_the_documented_shape()
    {
        var json = new AgentConfig { PoolName = Pool, Version = Version, ListenPort = 6432, SocketDirectory = "/s", AdminUser = VersionContract.AdminUser, Probe = new AgentProbe { Database = "app", User = "u" } }.ToJson();

        Assert.Equal(new AgentConfig { PoolName = Pool, Version = Version, ListenPort = 6432, SocketDirectory = "/s", AdminUser = VersionContract.AdminUser, Probe = new AgentProbe { Database = "app", User = "u" } }.ToJson(), AgentConfig.Parse(json)!.ToJson());
        foreach (var key in new[] { "poolName", "version", "configRevision", "listenPort", "socketDirectory", "adminUser", "probe", "restartSettings" })
        {
            Assert.Contains($"\"{key}\"", json, StringComparison.Ordinal);
        }

        Assert.Throws<System.Text.Json.JsonException>(() => AgentConfig.Parse("{\"socketDirectory\": null}"));
    }
}
