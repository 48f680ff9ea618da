using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SidePool.Contract;

namespace SidePool.Agent.Configuration;

/// <summary>
/// Reads the mounted configuration. A Kubernetes Secret volume exposes each file as <c>name -> ..data/name</c>
/// and swaps <c>..data</c> atomically; the loader resolves <c>..data</c> once and reads every file from the same
/// generation, retrying when a swap removes it mid-read.
/// </summary>
internal static class ConfigLoader
{
    private static readonly string[] RequiredFiles = [VersionContract.Files.Ini, VersionContract.Files.UserList, VersionContract.Files.Hba, VersionContract.Files.Agent];

    public static ConfigSnapshot Load(string configDirectory)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var files = ReadGeneration(configDirectory);
                var hash = ContentHash(files);
                try
                {
                    return new ConfigSnapshot(hash, Validate(configDirectory, hash, files), null);
                }
                catch (ConfigProblemException e)
                {
                    return new ConfigSnapshot(hash, null, e.Message);
                }
                catch (Exception e) when (e is not (OutOfMemoryException or IOException or UnauthorizedAccessException))
                {
                    // a hand edit the checks above did not foresee: reject it rather than let it escape (no content in the message)
                    return new ConfigSnapshot(hash, null, $"cannot validate the mounted configuration: {e.GetType().Name}");
                }
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException && attempt < 5)
            {
                Thread.Sleep(20); // ..data was swapped while reading: read the new generation
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new ConfigSnapshot("unreadable:" + e.GetType().Name, null, $"cannot read {configDirectory}: {e.Message}");
            }
        }
    }

    /// <summary>File name → content for every regular file of the current generation (hidden entries skipped).</summary>
    internal static SortedDictionary<string, string> ReadGeneration(string configDirectory)
    {
        var dataLink = Path.Combine(configDirectory, "..data");
        var source = configDirectory;
        if (Directory.Exists(dataLink))
        {
            var target = new DirectoryInfo(dataLink).ResolveLinkTarget(returnFinalTarget: true);
            source = target?.FullName ?? dataLink;
        }

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(source))
        {
            var name = Path.GetFileName(path);
            if (!name.StartsWith('.'))
            {
                files[name] = File.ReadAllText(path);
            }
        }

        foreach (var required in RequiredFiles)
        {
            if (!files.ContainsKey(required))
            {
                // the symlink may exist while the target generation is gone
                files[required] = File.ReadAllText(Path.Combine(source, required));
            }
        }

        return files;
    }

    internal static string ContentHash(IReadOnlyDictionary<string, string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, content) in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}\0{content.Length}\0"));
            hash.AppendData(Encoding.UTF8.GetBytes(content));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static MountedConfig Validate(string configDirectory, string hash, IReadOnlyDictionary<string, string> files)
    {
        AgentConfig settings;
        try
        {
            settings = AgentConfig.Parse(files[VersionContract.Files.Agent])
                ?? throw new ConfigProblemException("sidepool.json: empty document");
        }
        catch (JsonException e)
        {
            throw new ConfigProblemException($"sidepool.json: invalid JSON at {e.Path ?? "$"} (line {e.LineNumber})");
        }

        Require(settings.ListenPort is > 0 and < 65536, "sidepool.json: listenPort must be a TCP port");
        Require(settings.SocketDirectory.Length > 0, "sidepool.json: socketDirectory is required");
        Require(settings.AdminUser.Length > 0, "sidepool.json: adminUser is required");
        Require(settings.Probe is { Database.Length: > 0, User.Length: > 0 }, "sidepool.json: probe.database and probe.user are required");

        var ini = PgBouncerIni.Parse(files[VersionContract.Files.Ini]);
        Require(ini.Databases.Count > 0, "pgbouncer.ini: [databases] has no entry");
        Require(ini.Databases.ContainsKey(settings.Probe!.Database), $"pgbouncer.ini: [databases] has no entry for the probe database '{settings.Probe.Database}'");
        foreach (var key in new[] { "listen_port", "auth_type", "auth_file", "admin_users" })
        {
            Require(!string.IsNullOrEmpty(ini.Setting(key)), $"pgbouncer.ini: [pgbouncer] {key} is required");
        }

        Require(ini.Setting("listen_port") == settings.ListenPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "pgbouncer.ini: listen_port differs from sidepool.json listenPort");
        Require(ini.Setting("unix_socket_dir") == settings.SocketDirectory, "pgbouncer.ini: unix_socket_dir differs from sidepool.json socketDirectory");
        Require(
            ini.Setting("admin_users")!.Split(',', StringSplitOptions.TrimEntries).Contains(settings.AdminUser, StringComparer.Ordinal),
            $"pgbouncer.ini: admin_users does not include {settings.AdminUser}");

        foreach (var key in MountedConfig.FileSettings)
        {
            if (ini.Setting(key) is { Length: > 0 } path)
            {
                // the agent hands PgBouncer its private copy of the file: it must be one of this generation's files
                var name = Path.GetFileName(path);
                Require(
                    files.ContainsKey(name) && name is not (VersionContract.Files.Ini or VersionContract.Files.Agent),
                    $"pgbouncer.ini: {key} must name a file of the mounted configuration (got '{name}')");
            }
        }

        Require(
            !string.Equals(ini.Setting("auth_type"), "hba", StringComparison.OrdinalIgnoreCase) || ini.Setting("auth_hba_file") is { Length: > 0 },
            "pgbouncer.ini: auth_type hba needs auth_hba_file");
        Require(ini.Setting("auth_file") is { } authFile && Path.GetFileName(authFile) == VersionContract.Files.UserList, $"pgbouncer.ini: auth_file must name {VersionContract.Files.UserList}");

        var users = UserList.Parse(files[VersionContract.Files.UserList]);
        Require(users.PasswordOf(settings.AdminUser) is { Length: > 0 }, $"userlist.txt: no password for the admin user {settings.AdminUser}");
        Require(users.PasswordOf(settings.Probe.User) is not null, $"userlist.txt: no entry for the probe user {settings.Probe.User}");
        Require(files[VersionContract.Files.Hba].Contains(settings.AdminUser, StringComparison.Ordinal), $"pg_hba.conf: no rule for the admin user {settings.AdminUser}");

        return new MountedConfig(configDirectory, hash, settings, ini, users, files);
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ConfigProblemException(problem);
        }
    }
}
