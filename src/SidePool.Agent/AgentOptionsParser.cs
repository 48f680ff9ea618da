using System.Globalization;

namespace SidePool.Agent;

/// <summary>
/// Parses <c>--name value</c> / <c>--name=value</c> flags and the switches <c>--help</c>, <c>-h</c> and
/// <c>--version</c> (no reflection, no dependency: System.CommandLine would be AOT-clean too, but it changes the
/// messages and exit codes the operator and users rely on and adds to the binary).
/// </summary>
internal static class AgentOptionsParser
{
    public const string Usage = """
        usage: sidepool-agent [flags]
          --config-dir DIR              mounted configuration (default /etc/sidepool/pool)
          --runtime-dir DIR             private copy pgbouncer runs on, an emptyDir only the sidecar mounts
                                        (default /var/lib/sidepool; created with mode 0700 if missing)
          --socket-dir DIR              override unix_socket_dir and sidepool.json's socketDirectory
                                        (for running outside Kubernetes; default: the mounted value)
          --pgbouncer PATH              PgBouncer binary (default: pgbouncer on PATH)
          --http-address ADDR           address of the health/metrics server (default 0.0.0.0)
          --http-port PORT              port of the health/metrics server (default 9127)
          --readiness MODE              pooler | backend: what /readyz requires (default pooler)
          --backend-check-interval DUR  SELECT 1 through the pooler this often (default 5s)
          --drain-mode MODE             native | classic (default classic)
          --drain-timeout DUR           classic: wait for clients this long; native: PAUSE budget (default 25s)
          --shutdown-timeout DUR        PAUSE + exit budget after the drain (default 5s)
          --ready-cache DUR             reuse a passing readiness check this long (default 2s)
          --probe-timeout DUR           timeout of a readiness or backend check (default 3s)
          --config-poll DUR             config directory poll interval besides inotify (default 5s)
          --max-restarts N              PgBouncer crashes restarted in-process per restart window (default 5)
          --restart-window DUR          window for --max-restarts (default 5m)
          --version                     print the version and exit
          --help                        print this help and exit
        durations: 250ms, 10s, 5m, 1h or plain seconds
        signals: SIGTERM/SIGINT drain and exit, SIGHUP re-reads the mounted configuration now

        """;

    private static readonly HashSet<string> ValueFlags = new(StringComparer.Ordinal)
    {
        "config-dir", "runtime-dir", "socket-dir", "pgbouncer", "http-address", "http-port", "readiness",
        "backend-check-interval", "drain-mode", "drain-timeout", "shutdown-timeout", "ready-cache", "probe-timeout",
        "config-poll", "max-restarts", "restart-window",
    };

    public static AgentOptions Parse(IReadOnlyList<string> args)
    {
        var options = new AgentOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--help" or "-h":
                    options = options with { ShowHelp = true };
                    continue;
                case "--version":
                    options = options with { ShowVersion = true };
                    continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[2..equals] : arg[2..];
            if (!ValueFlags.Contains(name))
            {
                throw new ArgumentException($"unknown option --{name}");
            }

            var value = equals > 0 ? arg[(equals + 1)..]
                : i + 1 < args.Count ? args[++i]
                : throw new ArgumentException($"--{name} needs a value");

            options = name switch
            {
                "config-dir" => options with { ConfigDirectory = RequireNonEmpty(name, value) },
                "runtime-dir" => options with { RuntimeDirectory = RequireNonEmpty(name, value) },
                "socket-dir" => options with { SocketDirectory = RequireNonEmpty(name, value) },
                "pgbouncer" => options with { PgBouncerPath = value },
                "http-address" => options with { HttpAddress = value },
                "http-port" => options with { HttpPort = ParsePort(name, value) },
                "readiness" => options with { Readiness = ParseReadiness(value) },
                "backend-check-interval" => options with { BackendCheckInterval = ParsePositiveDuration(name, value) },
                "drain-mode" => options with { DrainMode = ParseDrainMode(value) },
                "drain-timeout" => options with { DrainTimeout = ParseDuration(name, value) },
                "shutdown-timeout" => options with { ShutdownTimeout = ParseDuration(name, value) },
                "ready-cache" => options with { ReadyCache = ParseDuration(name, value) },
                "probe-timeout" => options with { ProbeTimeout = ParsePositiveDuration(name, value) },
                "config-poll" => options with { ConfigPollInterval = ParsePositiveDuration(name, value) },
                "max-restarts" => options with { MaxRestarts = ParseCount(name, value) },
                "restart-window" => options with { RestartWindow = ParseDuration(name, value) },
                _ => throw new ArgumentException($"unknown option --{name}"),
            };
        }

        return options;
    }

    public static TimeSpan ParseDuration(string name, string value)
    {
        var (number, scale) = value switch
        {
            _ when value.EndsWith("ms", StringComparison.Ordinal) => (value[..^2], 0.001),
            _ when value.EndsWith('s') => (value[..^1], 1.0),
            _ when value.EndsWith('m') => (value[..^1], 60.0),
            _ when value.EndsWith('h') => (value[..^1], 3600.0),
            _ => (value, 1.0),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0 && double.IsFinite(amount)
            ? TimeSpan.FromSeconds(amount * scale)
            : throw new ArgumentException($"--{name}: '{value}' is not a duration");
    }

    private static TimeSpan ParsePositiveDuration(string name, string value) =>
        ParseDuration(name, value) is { Ticks: > 0 } duration ? duration : throw new ArgumentException($"--{name}: must be more than 0");

    private static string RequireNonEmpty(string name, string value) =>
        value.Length > 0 ? value : throw new ArgumentException($"--{name}: must not be empty");

    private static DrainMode ParseDrainMode(string value) => value switch
    {
        "native" => DrainMode.Native,
        "classic" => DrainMode.Classic,
        _ => throw new ArgumentException($"--drain-mode: expected native or classic, got '{value}'"),
    };

    private static ReadinessMode ParseReadiness(string value) => value switch
    {
        "pooler" => ReadinessMode.Pooler,
        "backend" => ReadinessMode.Backend,
        _ => throw new ArgumentException($"--readiness: expected pooler or backend, got '{value}'"),
    };

    private static int ParsePort(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and < 65536
            ? port
            : throw new ArgumentException($"--{name}: '{value}' is not a port");

    private static int ParseCount(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new ArgumentException($"--{name}: '{value}' is not a count");
}
