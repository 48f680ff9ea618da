using SidePool.Testing;
using Xunit;

namespace SidePool.Cli.Tests;

public sealed class RenderCommandTests
{
    private const string Key = "000102030405060708090a0b0c0d0e0f";
    private static readonly string Secrets = Repository.Path("config", "samples", "secrets.example.yaml");

    private static string Sample(string name) => Repository.Path("config", "samples", name);

    [Fact]
    public async Task PrintsFilesVersionAndRevisionWithPasswordsMasked()
    {
        var result = await CliRunner.RunAsync("render", "-f", Sample("minimal.yaml"), "--secret", Secrets, "--hash-key", Key);
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"# version:  [0-9a-f]{10}  \([0-9a-f]{64}\)", result.Stdout);
        Assert.Matches(@"# revision: [0-9a-f]{10}  \([0-9a-f]{64}\)", result.Stdout);
        Assert.Contains("# ---- pgbouncer.ini ----", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("orders = host=orders-pg-rw.db.svc port=5432 dbname=orders user=orders_app", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"orders_app\" \"********\"", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("change-me", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task ShowSecretsPrintsPasswords()
    {
        var result = await CliRunner.RunAsync("render", "-f", Sample("minimal.yaml"), "--secret", Secrets, "--hash-key", Key, "--show-secrets");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"orders_app\" \"change-me\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameInputsSameHashesAndRandomKeyIsAnnounced()
    {
        var a = await CliRunner.RunAsync("render", "-f", Sample("production.yaml"), "--secret", Secrets, "--hash-key", Key);
        var b = await CliRunner.RunAsync("render", "-f", Sample("production.yaml"), "--secret", Secrets, "--hash-key", Key);
        Assert.Equal(a.Stdout, b.Stdout);
        var random = await CliRunner.RunAsync("render", "-f", Sample("production.yaml"), "--secret", Secrets);
        Assert.Equal(0, random.ExitCode);
        Assert.Contains("no --hash-key given", random.Stderr, StringComparison.Ordinal);
        Assert.Equal(a.Stdout.Split('\n')[1], random.Stdout.Split('\n')[1]); // same version
        Assert.NotEqual(a.Stdout.Split('\n')[2], random.Stdout.Split('\n')[2]); // other revision
    }

    [Theory]
    [InlineData("minimal.yaml")]
    [InlineData("read-only.yaml")]
    [InlineData("production.yaml")]
    public async Task OutputDirectoryHoldsARunnableConfig(string sample)
    {
        using var directory = new TestDirectory("cli");
        var output = Path.Combine(directory.FullPath, "out");
        var result = await CliRunner.RunAsync("render", "-f", Sample(sample), "--secret", Secrets, "--hash-key", Key, "-o", output);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"# run:     pgbouncer {output}/pgbouncer.ini", result.Stdout, StringComparison.Ordinal);

        var ini = await File.ReadAllTextAsync(Path.Combine(output, "pgbouncer.ini"));
        foreach (var setting in new[] { "auth_file", "auth_hba_file", "unix_socket_dir" })
        {
            var line = ini.Split('\n').Single(l => l.StartsWith(setting + " = ", StringComparison.Ordinal));
            Assert.StartsWith($"{setting} = {output}", line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("pidfile", ini, StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(output))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Matches("\"change-me(-too)?\"", await File.ReadAllTextAsync(Path.Combine(output, "userlist.txt")));

        // The files run as they are: `pgbouncer DIR/pgbouncer.ini` (as the postgres user, who must own them here).
        ServiceUser.GiveOwnership(output);
        foreach (var file in Directory.GetFiles(output))
        {
            ServiceUser.GiveOwnership(file);
        }

        var port = int.Parse(ini.Split('\n').Single(l => l.StartsWith("listen_port = ", StringComparison.Ordinal))[14..], System.Globalization.CultureInfo.InvariantCulture);
        await using var pgbouncer = await PgBouncerProcess.StartAsync(Path.Combine(output, "pgbouncer.ini"), port);
        Assert.True(File.Exists(Path.Combine(output, $".s.PGSQL.{port}")), "unix socket in DIR");
    }
}
