using System.Globalization;

namespace SidePool.LoadGen;

/// <summary>What a run does, from the environment (the image is configured like an app: env only).</summary>
internal sealed record LoadGenOptions
{
    public required DatabaseUrl Database { get; init; }

    /// <summary><c>WORKERS</c>: concurrent loops, each with its own connection (default 4).</summary>
    public int Workers { get; init; } = 4;

    /// <summary><c>PAUSE_MS</c>: pause after each transaction (default 20).</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary><c>RECONNECT_EVERY</c>: a worker logs in again after this many transactions; 0 never (default 50).</summary>
    public int ReconnectEvery { get; init; } = 50;

    /// <summary><c>RETRY_MS</c>: pause after a failure before the worker tries again (default 100).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The variables, for <c>--help</c>.</summary>
    public const string Usage = """
        Usage: sidepool-loadgen [--help] [--version]

        Runs WORKERS loops of short transactions against DATABASE_URL and writes JSON lines to stdout: every
        second {"kind":"stats",...}, each failure at once {"kind":"failure",...}, and on SIGTERM or SIGINT (no new
        transactions start, the running ones finish; a second signal cancels them) {"kind":"final",...}, then
        exits 0. Each transaction: BEGIN; SELECT; INSERT ... ON CONFLICT DO UPDATE; COMMIT on the table
        sidepool_loadgen (created if missing).

        Environment:
          DATABASE_URL     postgresql://user[:password]@host[:port]/database[?param=value&...] (required;
                           percent-encoded; params: host, port, dbname, user, password, sslmode, sslrootcert,
                           connect_timeout, application_name)
          WORKERS          concurrent loops, each with its own connection (default 4)
          PAUSE_MS         pause after each transaction, milliseconds (default 20)
          RECONNECT_EVERY  log in again after this many transactions; 0 never (default 50)
          RETRY_MS         pause after a failure, milliseconds (default 100)

        Exit codes: 0 after a signal (the final line has the counts), 2 for bad flags or environment.

        """;

    /// <summary>Reads the options; an <see cref="ArgumentException"/> names the variable and the problem.</summary>
    public static LoadGenOptions FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var url = variable("DATABASE_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new ArgumentException("DATABASE_URL is not set (postgresql://user:password@host:port/database)");
        }

        DatabaseUrl database;
        try
        {
            database = DatabaseUrl.Parse(url);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"DATABASE_URL: {e.Message}", e);
        }

        return new LoadGenOptions
        {
            Database = database,
            Workers = Number(variable, "WORKERS", 4, 1, 1024),
            Pause = TimeSpan.FromMilliseconds(Number(variable, "PAUSE_MS", 20, 0, 3_600_000)),
            ReconnectEvery = Number(variable, "RECONNECT_EVERY", 50, 0, int.MaxValue),
            RetryDelay = TimeSpan.FromMilliseconds(Number(variable, "RETRY_MS", 100, 0, 3_600_000)),
        };
    }

    private static int Number(Func<string, string?> variable, string name, int fallback, int min, int max)
    {
        var text = variable(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name}: expected a whole number from {min} to {max}, got '{text}'");
    }
}
