using SidePool.Testing;
using Xunit;

namespace SidePool.Cli.Tests;

/// <summary>Bad input: exit code 2, one line naming the file and the field, no stack trace, nothing written.</summary>
public sealed class CliErrorTests : IDisposable
{
    private readonly TestDirectory _directory = new("clierr");

    private string Write(string name, string content) => _directory.WriteFile(name, content);

    private const string Secret = """
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        stringData: {username: app, password: pw}
        """;

    private static string Pool(string pool = "{}", string backendExtra = "") => $$$"""
        apiVersion: sidepool.dev/v1alpha1
        kind: ConnectionPool
        metadata: {name: p}
        spec:
          selector: {matchLabels: {app: a}}
          backend: {host: db, database: d, credentialsSecret: {name: creds}{{{backendExtra}}}}
          pool: {{{pool}}}
        """;

    private static void AssertOneLineError(CliResult result, params string[] parts)
    {
        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        foreach (var part in parts)
        {
            Assert.Contains(part, lines[0], StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    public static TheoryData<string, string, string> InvalidPools => new()
    {
        { "{size: -1}", "", "spec.pool.size" },
        { "{size: 2, minSize: 3}", "", "spec.pool.minSize" },
        { "{mode: sessions}", "", "spec.pool.mode" },
        { "{acquisitionTimeout: 30}", "", "spec.pool.acquisitionTimeout" },
        { "{acquisitionTimeout: soon}", "", "spec.pool.acquisitionTimeout" },
        { "{parameters: {auth_type: trust}}", "", "spec.pool.parameters.auth_type" },
        { "{parameters: {query_timeout: \"5\\nauth_type = trust\"}}", "", "spec.pool.parameters.query_timeout" },
        { "{sise: 3}", "", "spec.pool.sise" },
        { "{size: ten}", "", "spec.pool.size" },
        { "{}", ", port: 0", "spec.backend.port" },
        { "{}", ", tls: {mode: verify-ca}", "spec.backend.tls.caSecret" },
    };

    [Theory]
    [MemberData(nameof(InvalidPools))]
    public async Task InvalidPoolNamesFileAndField(string pool, string backendExtra, string field)
    {
        var file = Write("pool.yaml", Pool(pool, backendExtra));
        var secret = Write("secret.yaml", Secret);
        AssertOneLineError(await CliRunner.RunAsync("render", "-f", file, "--secret", secret), file, field);
    }

    [Fact]
    public async Task MissingFile()
    {
        AssertOneLineError(await CliRunner.RunAsync("render", "-f", "/nonexistent/pool.yaml"), "/nonexistent/pool.yaml");
    }

    [Fact]
    public async Task BrokenYaml()
    {
        var file = Write("pool.yaml", "spec: [unclosed");
        AssertOneLineError(await CliRunner.RunAsync("render", "-f", file), file, "not valid YAML");
    }

    [Fact]
    public async Task NoPoolInFile()
    {
        var file = Write("pool.yaml", Secret);
        AssertOneLineError(await CliRunner.RunAsync("render", "-f", file), file, "no ConnectionPool");
    }

    [Fact]
    public async Task MissingSecret()
    {
        var file = Write("pool.yaml", Pool());
        AssertOneLineError(await CliRunner.RunAsync("render", "-f", file), "creds", "spec.backend.credentialsSecret.name");
        var other = Write("other.yaml", Secret.Replace("name: creds", "name: other", StringComparison.Ordinal));
        AssertOneLineError(await CliRunner.RunAsync("render", "-f", file, "--secret", other), other, "no Secret named \"creds\"");
    }

    [Fact]
    public async Task SecretWithoutTheKeyOrBadBase64()
    {
        var file = Write("pool.yaml", Pool());
        var noKey = Write("s1.yaml", Secret.Replace("password: pw", "pass: pw", StringComparison.Ordinal));
        AssertOneLineError(await CliRunner.RunAsync("render", "-f", file, "--secret", noKey), noKey, "no key \"password\"");
        var badBase64 = Write("s2.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\ndata: {username: '!!!', password: cHc=}\n");
        AssertOneLineError(await CliRunner.RunAsync("render", "-f", file, "--secret", badBase64), badBase64, "data.username");
    }

    [Fact]
    public async Task BadCredentialValueNamesTheKeyNotTheValue()
    {
        var file = Write("pool.yaml", Pool());
        var secret = Write("s.yaml", Secret.Replace("username: app", "username: \"bad user\"", StringComparison.Ordinal));
        var result = await CliRunner.RunAsync("render", "-f", file, "--secret", secret);
        AssertOneLineError(result, secret, "data.username");
        Assert.DoesNotContain("bad user", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOptionOrCommand()
    {
        AssertOneLineError(await CliRunner.RunAsync("render", "--nope"), "--nope");
        AssertOneLineError(await CliRunner.RunAsync("frobnicate"), "frobnicate");
        AssertOneLineError(await CliRunner.RunAsync("render", "-f", "x", "--sidecar-mode", "sideways"), "sideways");
    }

    [Fact]
    public async Task NothingWrittenOnError()
    {
        var file = Write("pool.yaml", Pool("{size: -1}"));
        var secret = Write("secret.yaml", Secret);
        var output = Path.Combine(_directory.FullPath, "out");
        AssertOneLineError(await CliRunner.RunAsync("render", "-f", file, "--secret", secret, "-o", output), "spec.pool.size");
        Assert.False(Directory.Exists(output));
    }

    public void Dispose() => _directory.Dispose();
}
