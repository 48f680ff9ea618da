using SidePool.Agent.Configuration;

using SidePool.Testing;
using Xunit;

namespace SidePool.Agent.Tests;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly TestDirectory _directory = new("cfg");
    private readonly PoolMount _mount;

    public ConfigLoaderTests() => _mount = new PoolMount(_directory);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Loads_a_rendered_pool_through_the_data_symlink()
    {
        var rendered = Render();
        _mount.Publish(rendered.Files);

        var snapshot = ConfigLoader.Load(_mount.Directory);

        var config = Assert.IsType<MountedConfig>(snapshot.Config);
        Assert.Null(snapshot.Problem);
        Assert.Equal(rendered.ConfigRevision, config.Revision);
        Assert.Equal(6432, config.Settings.ListenPort);
        Assert.Equal("orders", config.Settings.Probe!.Database);
        Assert.Equal(PoolFiles.ClientPassword, config.Users.PlainPasswordOf(TestBackend.User));
        Assert.Equal(PoolFiles.Version, config.Settings.Version);
        Assert.Equal(PoolFiles.Secrets.AdminPassword, config.AdminPassword);
        Assert.Equal("6432", config.Settings.RestartSettings["listen_port"]);
        Assert.True(File.Exists(Path.Combine(_mount.Directory, "..data", "pgbouncer.ini")));
    }

    [Fact]
    public void A_swap_changes_the_content_hash_and_identical_content_keeps_it()
    {
        _mount.Publish(Render().Files);
        var first = ConfigLoader.Load(_mount.Directory);
        _mount.Publish(Render().Files);
        var same = ConfigLoader.Load(_mount.Directory);
        _mount.Publish(Render(poolSize: 3).Files);
        var changed = ConfigLoader.Load(_mount.Directory);

        Assert.Equal(first.ContentHash, same.ContentHash);
        Assert.NotEqual(first.ContentHash, changed.ContentHash);
        Assert.Equal("3", changed.Config!.Ini.Setting("default_pool_size"));
    }

    [Theory]
    [InlineData("pgbouncer.ini", "default_pool_size = 10", "default_pool_size = ten", "default_pool_size must be an integer")]
    [InlineData("pgbouncer.ini", "[databases]", "[databases", "malformed section header")]
    [InlineData("pgbouncer.ini", "admin_users = sidepool-agent", "admin_users = someone", "admin_users does not include sidepool-agent")]
    [InlineData("pgbouncer.ini", "listen_port = 6432", "listen_port = 6433", "listen_port differs")]
    [InlineData("sidepool.json", "\"listenPort\"", "\"listenPort\" :: ", "sidepool.json: invalid JSON")]
    [InlineData("userlist.txt", "\"sidepool-agent\"", "\"nobody\"", "no password for the admin user")]
    [InlineData("userlist.txt", "\"app\" \"", "\"app\" ", "userlist.txt line")]
    public void Problems_are_named_without_revealing_secrets(string file, string find, string replace, string problem)
    {
        var files = new Dictionary<string, string>(Render().Files);
        Assert.Contains(find, files[file], StringComparison.Ordinal);
        files[file] = files[file].Replace(find, replace, StringComparison.Ordinal);
        _mount.Publish(files);

        var snapshot = ConfigLoader.Load(_mount.Directory);

        Assert.False(snapshot.IsValid);
        Assert.Contains(problem, snapshot.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(TestBackend.Password, snapshot.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(PoolFiles.Secrets.AdminPassword, snapshot.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(PoolFiles.ClientPassword, snapshot.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_problem()
    {
        var files = new Dictionary<string, string>(Render().Files);
        files.Remove("pg_hba.conf");
        _mount.Publish(files);

        Assert.False(ConfigLoader.Load(_mount.Directory).IsValid);
    }

    [Fact]
    public void Userlist_unescapes_doubled_quotes_and_recognises_hashed_secrets()
    {
        var users = UserList.Parse("\"a\"\"b\" \"pa\"\"ss\"\n; comment\n\"md\" \"md5" + new string('0', 32) + "\"\n\"sc\" \"SCRAM-SHA-256$4096:abc$def:ghi\"\n");

        Assert.Equal("pa\"ss", users.PlainPasswordOf("a\"b"));
        Assert.Null(users.PlainPasswordOf("md"));
        Assert.Null(users.PlainPasswordOf("sc"));
        Assert.NotNull(users.PasswordOf("sc"));
    }

    private SidePool.Core.RenderedPool Render(int poolSize = 10) =>
        PoolFiles.Render(_mount.Directory, "/var/run/sidepool", 5432, 6432, TestBackend.Password, poolSize);
}
