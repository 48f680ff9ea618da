using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;

namespace SidePool.Agent;

/// <summary>
/// The <c>sidepool-agent</c> command line on System.CommandLine: <c>--name value</c> or <c>--name=value</c>, <c>--help</c>
/// (<c>-h</c>) and <c>--version</c> (<c>sidepool-agent &lt;Version&gt;</c>). A mistake is one line on stderr naming the
/// flag (no usage dump, no stack trace) and exit code 2. The agent reads no environment variables for its settings.
/// </summary>
internal static class AgentCommandLine
{
    public const string Name = "sidepool-agent";

    public const int UserErrorExitCode = 2;

    /// <summary>Parses <paramref name="args"/> and runs the agent, or prints the help or version.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Func<AgentOptions, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var flags = new Flags();
        // the actions before parsing: a parse result keeps the actions its symbols had then
        flags.Command.Options.OfType<VersionOption>().Single().Action = new PrintVersion(stdout);
        flags.Command.SetAction((result, _) => run(flags.Bind(result)));
        var parsed = flags.Parse(args);
        if (ErrorOf(parsed) is { } error)
        {
            await stderr.WriteLineAsync($"{Name}: {error} (see {Name} --help)");
            return UserErrorExitCode;
        }

        // SIGTERM, SIGINT and SIGHUP are the agent's (the drain, the reload): System.CommandLine stays out of them.
        var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation);
    }

    /// <summary>The options <paramref name="args"/> ask for; throws <see cref="ArgumentException"/> with the one-line error.</summary>
    public static AgentOptions Parse(IReadOnlyList<string> args)
    {
        var flags = new Flags();
        var parsed = flags.Parse(args);
        return ErrorOf(parsed) is { } error ? throw new ArgumentException(error) : flags.Bind(parsed);
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

    /// <summary>The first mistake in <paramref name="result"/> as one line, or null.</summary>
    private static string? ErrorOf(ParseResult result)
    {
        if (result.Errors.Count == 0)
        {
            return null;
        }

        if (result.UnmatchedTokens.FirstOrDefault(t => t.StartsWith('-')) is { } unknown)
        {
            return $"unknown option {unknown.Split('=', 2)[0]}";
        }

        if (result.Errors.FirstOrDefault(e => e.SymbolResult is not CommandResult) is { } error)
        {
            return error.SymbolResult is OptionResult { Tokens.Count: 0, Implicit: false } missing && missing.Option.Arity.MinimumNumberOfValues > 0
                ? $"{missing.Option.Name} needs a value"
                : OneLine(error.Message);
        }

        return result.UnmatchedTokens.Count > 0 ? $"unexpected argument '{result.UnmatchedTokens[0]}'" : OneLine(result.Errors[0].Message);
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');

    private sealed class PrintVersion(TextWriter stdout) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            stdout.WriteLine($"{Name} {AgentVersion.Value}");
            return 0;
        }
    }

    /// <summary>The flags; defaults are those of <see cref="AgentOptions"/>. A flag given twice takes its last value.</summary>
    private sealed class Flags
    {
        private static readonly AgentOptions Defaults = new();

        /// <summary>One value per occurrence, any number of occurrences (the last wins), as the agent has always read its flags.</summary>
        private static readonly ArgumentArity Repeatable = ArgumentArity.OneOrMore;

        private readonly Option<string> _configDirectory = Text("--config-dir", "DIR", $"mounted configuration (default {Defaults.ConfigDirectory})", allowEmpty: false);
        private readonly Option<string> _runtimeDirectory = Text("--runtime-dir", "DIR", $"private copy pgbouncer runs on, an emptyDir only the sidecar mounts (default {Defaults.RuntimeDirectory}; created with mode 0700 if missing)", allowEmpty: false);
        private readonly Option<string> _socketDirectory = Text("--socket-dir", "DIR", "override unix_socket_dir and sidepool.json's socketDirectory (for running outside Kubernetes; default: the mounted value)", allowEmpty: false);
        private readonly Option<string> _pgBouncer = Text("--pgbouncer", "PATH", "PgBouncer binary (default: pgbouncer on PATH)");
        private readonly Option<string> _httpAddress = Text("--http-address", "ADDR", $"address of the health/metrics server (default {Defaults.HttpAddress})");
        private readonly Option<int> _httpPort = Number("--http-port", "PORT", $"port of the health/metrics server (default {Defaults.HttpPort})", "a port", p => p < 65536);
        private readonly Option<ReadinessMode> _readiness = OneOf("--readiness", "pooler | backend: what /readyz requires (default pooler)", ("pooler", ReadinessMode.Pooler), ("backend", ReadinessMode.Backend));
        private readonly Option<TimeSpan> _backendCheckInterval = Duration("--backend-check-interval", "SELECT 1 through the pooler this often (default 5s)", positive: true);
        private readonly Option<DrainMode> _drainMode = OneOf("--drain-mode", "native | classic (default classic)", ("native", DrainMode.Native), ("classic", DrainMode.Classic));
        private readonly Option<TimeSpan> _drainTimeout = Duration("--drain-timeout", "classic: wait for clients this long; native: PAUSE budget (default 25s)");
        private readonly Option<TimeSpan> _shutdownTimeout = Duration("--shutdown-timeout", "PAUSE + exit budget after the drain (default 5s)");
        private readonly Option<TimeSpan> _readyCache = Duration("--ready-cache", "reuse a passing readiness check this long (default 2s)");
        private readonly Option<TimeSpan> _probeTimeout = Duration("--probe-timeout", "timeout of a readiness or backend check (default 3s)", positive: true);
        private readonly Option<TimeSpan> _configPoll = Duration("--config-poll", "config directory poll interval besides inotify (default 5s)", positive: true);
        private readonly Option<int> _maxRestarts = Number("--max-restarts", "N", $"PgBouncer crashes restarted in-process per restart window (default {Defaults.MaxRestarts})", "a count", _ => true);
        private readonly Option<TimeSpan> _restartWindow = Duration("--restart-window", "window for --max-restarts (default 5m)");

        public Flags()
        {
            Command = new RootCommand(
                "SidePool sidecar agent: runs PgBouncer on a validated private copy of the mounted configuration, serves /healthz, /readyz, "
                + "/startupz and /metrics, reloads changes, drains on SIGTERM/SIGINT; SIGHUP re-reads the mounted configuration now. "
                + "Durations: 250ms, 10s, 5m, 1h or plain seconds.")
            {
                _configDirectory, _runtimeDirectory, _socketDirectory, _pgBouncer, _httpAddress, _httpPort, _readiness,
                _backendCheckInterval, _drainMode, _drainTimeout, _shutdownTimeout, _readyCache, _probeTimeout, _configPoll,
                _maxRestarts, _restartWindow,
            };
        }

        public RootCommand Command { get; }

        /// <summary>Parses without response files (<c>@file</c>): every argument is taken as written.</summary>
        public ParseResult Parse(IReadOnlyList<string> args) => Command.Parse([.. args], new ParserConfiguration { ResponseFileTokenReplacer = null });

        public AgentOptions Bind(ParseResult result)
        {
            bool Given(Option option) => result.GetResult(option) is { Implicit: false };
            var d = Defaults;
            return d with
            {
                ConfigDirectory = Given(_configDirectory) ? result.GetValue(_configDirectory)! : d.ConfigDirectory,
                RuntimeDirectory = Given(_runtimeDirectory) ? result.GetValue(_runtimeDirectory)! : d.RuntimeDirectory,
                SocketDirectory = Given(_socketDirectory) ? result.GetValue(_socketDirectory) : d.SocketDirectory,
                PgBouncerPath = Given(_pgBouncer) ? result.GetValue(_pgBouncer)! : d.PgBouncerPath,
                HttpAddress = Given(_httpAddress) ? result.GetValue(_httpAddress)! : d.HttpAddress,
                HttpPort = Given(_httpPort) ? result.GetValue(_httpPort) : d.HttpPort,
                Readiness = Given(_readiness) ? result.GetValue(_readiness) : d.Readiness,
                BackendCheckInterval = Given(_backendCheckInterval) ? result.GetValue(_backendCheckInterval) : d.BackendCheckInterval,
                DrainMode = Given(_drainMode) ? result.GetValue(_drainMode) : d.DrainMode,
                DrainTimeout = Given(_drainTimeout) ? result.GetValue(_drainTimeout) : d.DrainTimeout,
                ShutdownTimeout = Given(_shutdownTimeout) ? result.GetValue(_shutdownTimeout) : d.ShutdownTimeout,
                ReadyCache = Given(_readyCache) ? result.GetValue(_readyCache) : d.ReadyCache,
                ProbeTimeout = Given(_probeTimeout) ? result.GetValue(_probeTimeout) : d.ProbeTimeout,
                ConfigPollInterval = Given(_configPoll) ? result.GetValue(_configPoll) : d.ConfigPollInterval,
                MaxRestarts = Given(_maxRestarts) ? result.GetValue(_maxRestarts) : d.MaxRestarts,
                RestartWindow = Given(_restartWindow) ? result.GetValue(_restartWindow) : d.RestartWindow,
            };
        }

        /// <summary>
        /// A value that looks like a flag means the value was forgotten (System.CommandLine takes any token after a flag
        /// that needs one): say so.
        /// </summary>
        private static bool LooksLikeFlag(ArgumentResult result, string name, string value)
        {
            if (!value.StartsWith("--", StringComparison.Ordinal))
            {
                return false;
            }

            result.AddError($"{name} needs a value");
            return true;
        }

        private static Option<string> Text(string name, string valueName, string description, bool allowEmpty = true) => new(name)
        {
            Description = description,
            HelpName = valueName,
            Arity = Repeatable,
            CustomParser = r =>
            {
                var value = r.Tokens[^1].Value;
                if (LooksLikeFlag(r, name, value))
                {
                    return null;
                }

                if (!allowEmpty && value.Length == 0)
                {
                    r.AddError($"{name}: must not be empty");
                }

                return value;
            },
        };

        private static Option<int> Number(string name, string valueName, string description, string what, Func<int, bool> valid) => new(name)
        {
            Description = description,
            HelpName = valueName,
            Arity = Repeatable,
            CustomParser = r =>
            {
                var value = r.Tokens[^1].Value;
                if (LooksLikeFlag(r, name, value))
                {
                    return 0;
                }

                if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && valid(number))
                {
                    return number;
                }

                r.AddError($"{name}: '{value}' is not {what}");
                return 0;
            },
        };

        private static Option<TimeSpan> Duration(string name, string description, bool positive = false) => new(name)
        {
            Description = description,
            HelpName = "DUR",
            Arity = Repeatable,
            CustomParser = r =>
            {
                var value = r.Tokens[^1].Value;
                if (LooksLikeFlag(r, name, value))
                {
                    return TimeSpan.Zero;
                }

                try
                {
                    var duration = ParseDuration(name[2..], value);
                    if (positive && duration <= TimeSpan.Zero)
                    {
                        r.AddError($"{name}: must be more than 0");
                    }

                    return duration;
                }
                catch (ArgumentException e)
                {
                    r.AddError(e.Message);
                    return TimeSpan.Zero;
                }
            },
        };

        private static Option<T> OneOf<T>(string name, string description, params (string Word, T Value)[] choices) => new(name)
        {
            Description = description,
            HelpName = "MODE",
            Arity = Repeatable,
            CustomParser = r =>
            {
                var value = r.Tokens[^1].Value;
                if (LooksLikeFlag(r, name, value))
                {
                    return default!;
                }

                foreach (var (word, choice) in choices)
                {
                    if (word == value)
                    {
                        return choice;
                    }
                }

                r.AddError($"{name}: expected {string.Join(" or ", choices.Select(c => c.Word))}, got '{value}'");
                return default!;
            },
        };
    }
}
