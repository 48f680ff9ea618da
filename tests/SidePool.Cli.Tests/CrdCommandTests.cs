using SidePool.Crd;
using Xunit;

namespace SidePool.Cli.Tests;

public sealed class CrdCommandTests
{
    [Fact]
    public async Task CrdCommandPrintsTheCommittedCrd()
    {
        var result = await CliRunner.RunAsync("crd");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(CrdDocument.Yaml(), result.Stdout);
        var committed = await File.ReadAllTextAsync(Repository.Path("crds", CrdDocument.FileName));
        Assert.True(committed == result.Stdout, "crds/sidepool.dev_connectionpools.yaml is out of date: run `make crds`");
    }
}
