using System.Globalization;
using System.Runtime.CompilerServices;
using SidePool.Contract;

namespace SidePool.Agent.Configuration;

/// <summary>
/// The private copy PgBouncer runs on. PgBouncer re-reads <c>auth_file</c> by itself whenever it changes and a
/// crash restart reads every file again, so PgBouncer must never point at the mount: the agent writes
/// <c>pgbouncer.ini</c>, <c>userlist.txt</c>, <c>pg_hba.conf</c> (and <c>server-ca.crt</c>) here only from a
/// validated generation, each atomically (temporary file, then rename; mode 0600), the ini last. The ini's
/// <c>auth_file</c>, <c>auth_hba_file</c> and <c>server_tls_ca_file</c> point at the copies, and the restart-only
/// settings are pinned to the values PgBouncer runs with, so a crash restart serves the same port and socket.
/// </summary>
internal sealed class RuntimeDirectory(string path, string? socketDirectoryOverride)
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private volatile StrongBox<int>? _share;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>
    /// The budget share the private copy is written with (null: no budget; 0: not admitted). Changed only under
    /// <see cref="AgentState.RuntimeGate"/>, followed by a write and a RELOAD (see <see cref="BudgetOverrides"/>).
    /// </summary>
    public int? Share
    {
        get => _share?.Value;
        set => _share = value is { } v ? new StrongBox<int>(v) : null;
    }

    /// <summary>Creates the directory (mode 0700) if missing and tightens its mode when it already exists.</summary>
    public void Prepare()
    {
        if (!Directory.Exists(Path))
        {
            Directory.CreateDirectory(Path, DirectoryMode);
        }

        try
        {
            File.SetUnixFileMode(Path, DirectoryMode);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            AgentLog.Warn("config", $"cannot set mode 0700 on {Path} ({e.Message}); the files in it are 0600");
        }
    }

    /// <summary>The restart-only values the mounted configuration asks for (after <c>--socket-dir</c>).</summary>
    public IReadOnlyDictionary<string, string> RequestedRestartSettings(MountedConfig config)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in RestartOnlySettings.KeysOf(config))
        {
            if (config.Ini.Setting(key) is { } value)
            {
                values[key] = value;
            }
        }

        if (socketDirectoryOverride is not null)
        {
            values["unix_socket_dir"] = socketDirectoryOverride;
        }

        return values;
    }

    /// <summary>
    /// Writes the private copy of <paramref name="config"/>. <paramref name="running"/>: the restart-only values
    /// PgBouncer runs with (null before the first start: the requested ones are used).
    /// </summary>
    public RuntimeConfig Write(MountedConfig config, IReadOnlyDictionary<string, string>? running)
    {
        var restart = running ?? RequestedRestartSettings(config);
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var key in RestartOnlySettings.KeysOf(config).Union(restart.Keys, StringComparer.Ordinal))
        {
            overrides[key] = restart.GetValueOrDefault(key);
        }

        foreach (var (key, value) in BudgetOverrides(config.Ini, Share))
        {
            overrides[key] = value;
        }

        var copies = new List<string>();
        foreach (var key in MountedConfig.FileSettings)
        {
            if (config.Ini.Setting(key) is { Length: > 0 } mounted)
            {
                var name = System.IO.Path.GetFileName(mounted); // validated: one of the generation's files
                overrides[key] = System.IO.Path.Combine(Path, name);
                copies.Add(name);
            }
        }

        foreach (var name in copies.Append(VersionContract.Files.Hba).Distinct(StringComparer.Ordinal))
        {
            if (config.Files.TryGetValue(name, out var content))
            {
                WriteAtomically(name, content);
            }
        }

        var iniText = IniRewriter.Rewrite(config.Files[VersionContract.Files.Ini], overrides);
        var ini = PgBouncerIni.Parse(iniText);
        var iniPath = WriteAtomically(VersionContract.Files.Ini, iniText);
        return new RuntimeConfig(iniPath, ini, restart);
    }

    /// <summary>
    /// The settings a budget share rewrites (all reloadable): <c>max_db_connections</c> = the share (or the pool's own
    /// smaller value), and the pool sizes capped to fit it: <c>default_pool_size</c> = min(size, share),
    /// <c>reserve_pool_size</c> = min(reserve, share - pool size), <c>min_pool_size</c> = min(min, pool size). Share 0
    /// (not admitted; the databases are also paused): <c>max_db_connections = 1</c> and <c>min_pool_size = 0</c>, so even
    /// the instant before the PAUSE lets at most one server per entry open (0 would mean unlimited).
    /// </summary>
    internal static IReadOnlyDictionary<string, string> BudgetOverrides(PgBouncerIni ini, int? share)
    {
        if (share is not { } s)
        {
            return new Dictionary<string, string>();
        }

        int Number(string key, int fallback) =>
            int.TryParse(ini.Setting(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
        string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

        var maxDb = Number("max_db_connections", 0);
        if (s <= 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal) { ["max_db_connections"] = "1", ["min_pool_size"] = "0" };
        }

        var pool = Math.Min(Number("default_pool_size", 20), s);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["max_db_connections"] = Text(maxDb > 0 ? Math.Min(maxDb, s) : s),
            ["default_pool_size"] = Text(pool),
            ["reserve_pool_size"] = Text(Math.Max(0, Math.Min(Number("reserve_pool_size", 0), s - pool))),
            ["min_pool_size"] = Text(Math.Min(Number("min_pool_size", 0), pool)),
        };
    }

    private string WriteAtomically(string name, string content)
    {
        var target = System.IO.Path.Combine(Path, name);
        var temporary = System.IO.Path.Combine(Path, $".{name}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = PrivateFileMode }))
            using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                writer.Write(content);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true); // rename(2): readers see the old or the new file, never a part
            return target;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
