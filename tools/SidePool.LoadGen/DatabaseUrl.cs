using System.Globalization;
using System.Text;
using Npgsql;

namespace SidePool.LoadGen;

/// <summary>
/// A libpq connection URI (<c>postgresql://user[:password]@host[:port]/database?param=value&amp;…</c>, also
/// <c>postgres://</c>), parsed by hand: every part percent-decoded, the user information ending at the last
/// <c>@</c> of the authority, an IPv6 host in brackets, port 5432 and database = user by default, as libpq does.
/// Query parameters: <c>host</c> (a name, an address or a unix socket directory), <c>port</c>, <c>dbname</c>,
/// <c>user</c>, <c>password</c>, <c>sslmode</c>, <c>sslrootcert</c>, <c>connect_timeout</c> and
/// <c>application_name</c>; anything else is refused (it would be silently ignored otherwise).
/// </summary>
internal sealed record DatabaseUrl(string Host, int Port, string Username, string? Password, string Database, IReadOnlyDictionary<string, string> Parameters)
{
    public const int DefaultPort = 5432;

    /// <summary>The query parameters this parser understands.</summary>
    public static readonly IReadOnlyList<string> SupportedParameters =
        ["host", "port", "dbname", "user", "password", "sslmode", "sslrootcert", "connect_timeout", "application_name"];

    private static readonly Dictionary<string, SslMode> SslModes = new(StringComparer.Ordinal)
    {
        ["disable"] = SslMode.Disable,
        ["allow"] = SslMode.Allow,
        ["prefer"] = SslMode.Prefer,
        ["require"] = SslMode.Require,
        ["verify-ca"] = SslMode.VerifyCA,
        ["verify-full"] = SslMode.VerifyFull,
    };

    /// <summary>Parses a URL; a <see cref="FormatException"/> names the problem and never carries the password.</summary>
    public static DatabaseUrl Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var rest = StripScheme(url.Trim());
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var query = queryStart < 0 ? "" : rest[(queryStart + 1)..];
        rest = queryStart < 0 ? rest : rest[..queryStart];
        var pathStart = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        var path = pathStart < 0 ? "" : rest[(pathStart + 1)..];

        string? user = null;
        string? password = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = Decode(colon < 0 ? userInfo : userInfo[..colon], "user");
            password = colon < 0 ? null : Decode(userInfo[(colon + 1)..], "password");
        }

        var (host, port) = ParseHostAndPort(authority);
        var database = path.Length == 0 ? null : Decode(path, "database");
        var parameters = ParseQuery(query);

        if (parameters.TryGetValue("host", out var queryHost))
        {
            host = queryHost;
        }

        if (parameters.TryGetValue("port", out var queryPort))
        {
            port = ParsePort(queryPort);
        }

        if (parameters.TryGetValue("user", out var queryUser))
        {
            user = queryUser;
        }

        if (parameters.TryGetValue("password", out var queryPassword))
        {
            password = queryPassword;
        }

        if (parameters.TryGetValue("dbname", out var queryDatabase))
        {
            database = queryDatabase;
        }

        if (string.IsNullOrEmpty(host))
        {
            throw new FormatException("names no host (postgresql://user@host:port/database, or ?host=/socket/directory)");
        }

        if (string.IsNullOrEmpty(user))
        {
            throw new FormatException("names no user (postgresql://user@host:port/database)");
        }

        if (parameters.TryGetValue("sslmode", out var sslMode) && !SslModes.ContainsKey(sslMode))
        {
            throw new FormatException($"sslmode: expected one of {string.Join(", ", SslModes.Keys)}, got '{sslMode}'");
        }

        if (parameters.TryGetValue("connect_timeout", out var timeout)
            && (!int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 3600))
        {
            throw new FormatException($"connect_timeout: expected whole seconds from 1 to 3600, got '{timeout}'");
        }

        return new DatabaseUrl(host, port, user, password, string.IsNullOrEmpty(database) ? user : database, parameters);
    }

    /// <summary>The URL without its password, for logs: <c>postgresql://user@host:port/database</c>.</summary>
    public string Redacted =>
        $"postgresql://{Uri.EscapeDataString(Username)}@{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Uri.EscapeDataString(Host))}:{Port}/{Uri.EscapeDataString(Database)}";

    /// <summary>
    /// The Npgsql connection string: no pooling (every reconnect is a real login, as an app's new connection is
    /// to the pooler), <c>No Reset On Close</c>, <c>Max Auto Prepare=0</c> (PgBouncer before 1.21 cannot keep
    /// prepared statements in transaction mode), a 5 s connect timeout unless <c>connect_timeout</c> says otherwise
    /// and a 10 s command timeout.
    /// </summary>
    public string ToConnectionString(string defaultApplicationName)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Username = Username,
            Database = Database,
            ApplicationName = Parameters.GetValueOrDefault("application_name", defaultApplicationName),
            Pooling = false,
            NoResetOnClose = true,
            MaxAutoPrepare = 0,
            Timeout = Parameters.TryGetValue("connect_timeout", out var timeout) ? int.Parse(timeout, CultureInfo.InvariantCulture) : 5,
            CommandTimeout = 10,
        };
        if (Password is not null)
        {
            builder.Password = Password;
        }

        if (Parameters.TryGetValue("sslmode", out var sslMode))
        {
            builder.SslMode = SslModes[sslMode];
        }

        if (Parameters.TryGetValue("sslrootcert", out var rootCertificate))
        {
            builder.RootCertificate = rootCertificate;
        }

        return builder.ConnectionString;
    }

    private static string StripScheme(string url)
    {
        foreach (var scheme in new[] { "postgresql://", "postgres://" })
        {
            if (url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                return url[scheme.Length..];
            }
        }

        var end = url.IndexOf("://", StringComparison.Ordinal);
        throw new FormatException(end > 0
            ? $"expected a postgresql:// or postgres:// URL, got scheme '{url[..end]}'"
            : "expected a postgresql:// or postgres:// URL");
    }

    private static (string Host, int Port) ParseHostAndPort(string authority)
    {
        if (authority.Contains(',', StringComparison.Ordinal))
        {
            throw new FormatException("names several hosts; one is supported");
        }

        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException("an IPv6 host lacks its closing ']'");
            }

            var after = authority[(close + 1)..];
            if (after.Length > 0 && !after.StartsWith(':'))
            {
                throw new FormatException("expected ':port' after the IPv6 host");
            }

            return (authority[1..close], after.Length > 1 ? ParsePort(after[1..]) : DefaultPort);
        }

        var colon = authority.LastIndexOf(':');
        return colon < 0
            ? (Decode(authority, "host"), DefaultPort)
            : (Decode(authority[..colon], "host"), colon == authority.Length - 1 ? DefaultPort : ParsePort(authority[(colon + 1)..]));
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new FormatException($"port: expected a number from 1 to 65535, got '{text}'");

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"expected key=value in the query, got '{Decode(pair, "query")}'");
            }

            var key = Decode(pair[..equals], "query");
            if (!SupportedParameters.Contains(key))
            {
                throw new FormatException($"unsupported parameter '{key}' (supported: {string.Join(", ", SupportedParameters)})");
            }

            parameters[key] = Decode(pair[(equals + 1)..], key);
        }

        return parameters;
    }

    /// <summary>Percent-decoding as libpq does it: <c>%XX</c> only (a <c>+</c> stays a plus), UTF-8.</summary>
    private static string Decode(string text, string part)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        var run = 0; // start of the current run of characters without '%'
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                continue;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(text[run..i]));
            if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                // Names the part only: the password's own characters must not reach a log line.
                throw new FormatException($"{part}: a '%' is not followed by two hex digits");
            }

            bytes.Add(value);
            i += 2;
            run = i + 1;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(text[run..]));
        return Encoding.UTF8.GetString([.. bytes]);
    }
}
