using SidePool.Api;
using SidePool.Core;
using SidePool.Testing;
using Xunit;

namespace SidePool.Cli.Tests;

public sealed class RenderCommandTests : IDisposable
{
    private const string Key = "000102030405060708090a0b0c0d0e0f";
    private const string ClientPassword = "cli-test-client-password_0123456789abcdefgh";
    private static readonly string Secrets = Repository.Path("config", "samples", "secrets.example.yaml");
    private readonly TestDirectory _directory = new("cli");

    private static string Sample(string name) => Repository.Path("config", "samples", name);

    /// <summary>The pools' client Secrets as the operator keeps them in the cluster (kubectl get secret NAME-client -o yaml).</summary>
    private string ClientSecrets() => _directory.WriteFile("clients.yaml", string.Join("---\n", new[] { ("orders-db", "shop"), ("orders-db-ro", "shop"), ("payments-db", "payments") }.Select(p => $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {p.Item1}-client
          namespace: {p.Item2}
        stringData:
          password: {ClientPassword}

        """)));

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task PrintsFilesVersionAndRevisionWithPasswordsMasked()
    {
        var result = await CliRunner.RunAsync("render", "-f", Sample("minimal.yaml"), "--secret", Secrets, "--secret", ClientSecrets(), "--hash-key", Key);
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"# version:  [0-9a-f]{10}  \([0-9a-f]{64}\)", result.Stdout);
        Assert.Matches(@"# revision: [0-9a-f]{10}  \([0-9a-f]{64}\)", result.Stdout);
        Assert.Contains("# ---- pgbouncer.ini ----", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("orders = host=orders-pg-rw.db.svc port=5432 dbname=orders user=orders_app password='********'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"orders_app\" \"********\"", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("# ---- client-password ----\n********\n", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("change-me", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientPassword, result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task ShowSecretsPrintsPasswords()
    {
        var result = await CliRunner.RunAsync("render", "-f", Sample("minimal.yaml"), "--secret", Secrets, "--secret", ClientSecrets(), "--hash-key", Key, "--show-secrets");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("user=orders_app password='change-me'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\"orders_app\" \"{ClientPassword}\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameInputsSameHashesAndWhatIsRandomIsAnnounced()
    {
        var clients = ClientSecrets();
        var a = await CliRunner.RunAsync("render", "-f", Sample("production.yaml"), "--secret", Secrets, "--secret", clients, "--hash-key", Key);
        var b = await CliRunner.RunAsync("render", "-f", Sample("production.yaml"), "--secret", Secrets, "--secret", clients, "--hash-key", Key);
        Assert.Equal(a.Stdout, b.Stdout);

        // No key: the same version, another revision (production.yaml gives apps a direct URL, which holds the
        // backend password: only its keyed hash is in the version, so there the key counts).
        var minimal = await CliRunner.RunAsync("render", "-f", Sample("minimal.yaml"), "--secret", Secrets, "--secret", clients, "--hash-key", Key);
        var randomKey = await CliRunner.RunAsync("render", "-f", Sample("minimal.yaml"), "--secret", Secrets, "--secret", clients);
        Assert.Equal(0, randomKey.ExitCode);
        Assert.Contains("no --hash-key given", randomKey.Stderr, StringComparison.Ordinal);
        Assert.Equal(minimal.Stdout.Split('\n')[1], randomKey.Stdout.Split('\n')[1]);
        Assert.NotEqual(minimal.Stdout.Split('\n')[2], randomKey.Stdout.Split('\n')[2]);
        var productionRandomKey = await CliRunner.RunAsync("render", "-f", Sample("production.yaml"), "--secret", Secrets, "--secret", clients);
        Assert.NotEqual(a.Stdout.Split('\n')[1], productionRandomKey.Stdout.Split('\n')[1]);

        // No client Secret: a new pool's client password, so another version, and it says so.
        var newPool = await CliRunner.RunAsync("render", "-f", Sample("production.yaml"), "--secret", Secrets, "--hash-key", Key);
        Assert.Contains("no Secret payments-db-client given", newPool.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(a.Stdout.Split('\n')[1], newPool.Stdout.Split('\n')[1]);
    }

    /// <summary>Issue 9, item 12: the output directory is not part of the version, which is the cluster's.</summary>
    [Theory]
    [InlineData("minimal.yaml")]
    [InlineData("read-only.yaml")]
    [InlineData("production.yaml")]
    public async Task Rendering_into_two_directories_prints_the_version_the_cluster_gets(string sample)
    {
        var clients = ClientSecrets();
        var first = Path.Combine(_directory.FullPath, "one");
        var second = Path.Combine(_directory.FullPath, "two", "deeper");
        var a = await CliRunner.RunAsync("render", "-f", Sample(sample), "--secret", Secrets, "--secret", clients, "--hash-key", Key, "-o", first);
        var b = await CliRunner.RunAsync("render", "-f", Sample(sample), "--secret", Secrets, "--secret", clients, "--hash-key", Key, "-o", second);
        Assert.Equal((0, 0), (a.ExitCode, b.ExitCode));
        Assert.Equal(a.Stdout.Split('\n')[1], b.Stdout.Split('\n')[1]);
        Assert.Equal(a.Stdout.Split('\n')[2], b.Stdout.Split('\n')[2]);

        // The operator's own code path with the operator's default settings gives the same version.
        var documents = YamlManifests.ReadFile(Sample(sample));
        var pool = ConnectionPoolReader.Read(documents.Single(d => d["kind"]!.ToString() == Naming.Kind), sample);
        var secretDocuments = YamlManifests.ReadFile(Secrets).Select(d => (d, Secrets)).ToList();
        var backend = SecretManifests.ReadCredentials(pool.Spec!, secretDocuments);
        var cluster = PoolVersionBuilder.Build(pool.Metadata.Name!, pool.Spec!, backend, new ClientCredentials(backend.Username, ClientPassword), new PoolKey(Convert.FromHexString(Key)), new InjectionOptions(), SidecarModes.Native);
        Assert.Contains($"# version:  {cluster.ShortVersion}  ({cluster.Version})", a.Stdout, StringComparison.Ordinal);

        // The files are the version Secret's, byte for byte, private to the user.
        foreach (var (name, content) in cluster.Files)
        {
            Assert.Equal(content, await File.ReadAllTextAsync(Path.Combine(first, name)));
            Assert.Equal(content, await File.ReadAllTextAsync(Path.Combine(second, name)));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(first, name)));
        }

        Assert.Equal(cluster.Files.Count, Directory.GetFiles(first).Length);
        Assert.Contains($"--config-dir {first}", a.Stdout, StringComparison.Ordinal);
    }
}
