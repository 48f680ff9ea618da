using SidePool.Testing;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>
/// Which agent the tests run. <c>make test</c> (CI) sets SIDEPOOL_AGENT_BINARY to the Native AOT build: then every agent
/// process the tests start must be exactly that file, running without the .NET runtime (no libcoreclr, no host), so CI
/// cannot fall back to the JIT build without failing here. Without the variable the tests run the JIT build (for
/// debugging), and this test checks that too.
/// </summary>
public sealed class AgentBinaryTests(TestBackend backend) : IClassFixture<TestBackend>
{
    [Fact]
    public async Task The_started_agent_is_the_native_binary_SIDEPOOL_AGENT_BINARY_names_or_else_the_jit_build()
    {
        var requested = Environment.GetEnvironmentVariable("SIDEPOOL_AGENT_BINARY") is { Length: > 0 } path ? path : null;
        await using var agent = await AgentProcess.StartAsync(backend.Server);

        var executable = new FileInfo($"/proc/{agent.Process.Id}/exe").LinkTarget;
        var mapped = await File.ReadAllTextAsync($"/proc/{agent.Process.Id}/maps");
        var runtimeLoaded = mapped.Contains("/libcoreclr.so", StringComparison.Ordinal) || mapped.Contains("/libhostfxr.so", StringComparison.Ordinal);

        if (requested is not null)
        {
            Assert.Equal(Resolve(requested), executable);
            Assert.Equal(Resolve(Binaries.Agent), executable); // the other test projects get the same agent
            Assert.False(runtimeLoaded, $"{requested} runs on the .NET runtime (libcoreclr/libhostfxr mapped): not a Native AOT build");
            Assert.False(File.Exists(Path.ChangeExtension(requested, ".dll")) && File.Exists(Path.ChangeExtension(requested, ".runtimeconfig.json")), $"{requested} sits in a framework-dependent build output");
        }
        else
        {
            Assert.Equal(Resolve(AgentProcess.Binary), executable);
            Assert.True(runtimeLoaded, "without SIDEPOOL_AGENT_BINARY the tests run the JIT build, which loads the .NET runtime");
        }
    }

    private static string Resolve(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
}
