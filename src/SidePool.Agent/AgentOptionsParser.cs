using System.Globalization;

namespace SidePool.Agent;

/// <summary>Parses <c>--name value</c> / <c>--name=value</c> flags (no reflection, no dependency).</summary>
internal static class AgentOptionsParser
{
    public const string Usage = """
        usage: sidepool-agent [flags]
          --config-dir DIR         mounted configuration (default /etc/sidepool/pool)
          --pgbouncer PATH         PgBouncer binary (default: pgbouncer on PATH)
          --http-address ADDR      address of the health/metrics server (default 0.0.0.0)
          --http-port PORT         port of the health/metrics server (default 9127)
          --drain-mode MODE        native | classic (default classic)
          --drain-timeout DUR      classic: wait for clients this long; native: PAUSE budget (default 25s)
          --shutdown-timeout DUR   PAUSE + exit budget after the drain (default 5s)
          --ready-cache DUR        reuse a readiness result this long (default 2s)
          --probe-timeout DUR      readiness query timeout (default 3s)
          --config-poll DUR        config directory poll interval besides inotify (default 5s)
          --max-restarts N         PgBouncer crashes restarted in-process per restart window (default 5)
          --restart-window DUR     window for --max-restarts (default 5m)
        durations: 250ms, 10s, 5m or plain seconds
        """;

    public static AgentOptions Parse(IReadOnlyList<string> args)
    {
        var options = new AgentOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            string name;
            string value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[2..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[2..];
                value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"--{name} needs a value");
            }

            options = name switch
            {
                "config-dir" => options with { ConfigDirectory = value },
                "pgbouncer" => options with { PgBouncerPath = value },
                "http-address" => options with { HttpAddress = value },
                "http-port" => options with { HttpPort = ParsePort(name, value) },
                "drain-mode" => options with { DrainMode = ParseDrainMode(value) },
                "drain-timeout" => options with { DrainTimeout = ParseDuration(name, value) },
                "shutdown-timeout" => options with { ShutdownTimeout = ParseDuration(name, value) },
                "ready-cache" => options with { ReadyCache = ParseDuration(name, value) },
                "probe-timeout" => options with { ProbeTimeout = ParseDuration(name, value) },
                "config-poll" => options with { ConfigPollInterval = ParseDuration(name, value) },
                "max-restarts" => options with { MaxRestarts = ParseCount(name, value) },
                "restart-window" => options with { RestartWindow = ParseDuration(name, value) },
                _ => throw new ArgumentException($"unknown flag --{name}"),
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
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0
            ? TimeSpan.FromSeconds(amount * scale)
            : throw new ArgumentException($"--{name}: '{value}' is not a duration");
    }

    private static DrainMode ParseDrainMode(string value) => value switch
    {
        "native" => DrainMode.Native,
        "classic" => DrainMode.Classic,
        _ => throw new ArgumentException($"--drain-mode: expected native or classic, got '{value}'"),
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
