using System.Globalization;

namespace SidePool.Agent.Configuration;

/// <summary>A parsed <c>pgbouncer.ini</c>: sections of key/value pairs (keys of [pgbouncer] lower-cased).</summary>
internal sealed class PgBouncerIni
{
    private static readonly HashSet<string> IntegerSettings = new(StringComparer.Ordinal)
    {
        "listen_port", "default_pool_size", "min_pool_size", "reserve_pool_size", "max_client_conn",
        "max_db_connections", "max_user_connections", "listen_backlog", "pkt_buf", "sbuf_loopcnt",
        "max_packet_size", "log_connections", "log_disconnections", "log_pooler_errors", "log_stats", "verbose",
    };

    private static readonly HashSet<string> DurationSettings = new(StringComparer.Ordinal)
    {
        "query_wait_timeout", "query_timeout", "client_idle_timeout", "client_login_timeout", "idle_transaction_timeout",
        "server_idle_timeout", "server_lifetime", "server_connect_timeout", "server_login_retry", "server_check_delay",
        "reserve_pool_timeout", "autodb_idle_timeout", "dns_max_ttl", "dns_nxdomain_ttl", "stats_period", "suspend_timeout",
    };

    private PgBouncerIni(Dictionary<string, Dictionary<string, string>> sections) => Sections = sections;

    public IReadOnlyDictionary<string, Dictionary<string, string>> Sections { get; }

    public IReadOnlyDictionary<string, string> Databases => Section("databases");

    public IReadOnlyDictionary<string, string> Settings => Section("pgbouncer");

    public string? Setting(string key) => Settings.GetValueOrDefault(key);

    /// <summary>Parses the file; throws <see cref="ConfigProblemException"/> naming the line of the first problem.</summary>
    public static PgBouncerIni Parse(string text)
    {
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, string>? current = null;
        var lowerCaseKeys = false;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
            {
                continue;
            }

            if (line[0] == '[')
            {
                if (line[^1] != ']' || line.Length < 3)
                {
                    throw new ConfigProblemException($"pgbouncer.ini line {lineNumber}: malformed section header");
                }

                var name = line[1..^1].Trim();
                if (!sections.TryGetValue(name, out current))
                {
                    current = new Dictionary<string, string>(StringComparer.Ordinal);
                    sections[name] = current;
                }

                lowerCaseKeys = string.Equals(name, "pgbouncer", StringComparison.OrdinalIgnoreCase);

                continue;
            }

            if (line.StartsWith("%include", StringComparison.OrdinalIgnoreCase))
            {
                throw new ConfigProblemException($"pgbouncer.ini line {lineNumber}: %include is not supported in a SidePool configuration");
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ConfigProblemException($"pgbouncer.ini line {lineNumber}: expected 'key = value'");
            }

            if (current is null)
            {
                throw new ConfigProblemException($"pgbouncer.ini line {lineNumber}: setting outside of a section");
            }

            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            current[lowerCaseKeys ? key.ToLowerInvariant() : key] = value;
        }

        var ini = new PgBouncerIni(sections);
        ini.CheckValues();
        return ini;
    }

    private IReadOnlyDictionary<string, string> Section(string name) =>
        Sections.TryGetValue(name, out var section) ? section : new Dictionary<string, string>();

    private void CheckValues()
    {
        foreach (var (key, value) in Settings)
        {
            if (IntegerSettings.Contains(key) && !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                throw new ConfigProblemException($"pgbouncer.ini: {key} must be an integer, got '{value}'");
            }

            if (DurationSettings.Contains(key) && !(double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0))
            {
                throw new ConfigProblemException($"pgbouncer.ini: {key} must be a non-negative number of seconds, got '{value}'");
            }
        }
    }
}
