using System.Globalization;

namespace SidePool.Api;

/// <summary>How a value of a PgBouncer setting is checked.</summary>
public enum ParameterKind
{
    /// <summary>A whole number within [Min, Max].</summary>
    Integer,

    /// <summary>0 or 1 (PgBouncer also reads yes/no/true/false/on/off; SidePool accepts those too).</summary>
    Boolean,

    /// <summary>Seconds, possibly fractional, within [Min, Max]. A duration such as 30s is accepted and converted.</summary>
    Seconds,

    /// <summary>One line of text.</summary>
    Text,

    /// <summary>One of <see cref="ParameterRule.Values"/>.</summary>
    Choice,
}

/// <summary>One allowed <c>spec.pool.parameters</c> key.</summary>
public sealed record ParameterRule(string Name, ParameterKind Kind, double Min = 0, double Max = int.MaxValue, IReadOnlyList<string>? Values = null, string MinimumPgBouncer = "1.18")
{
    /// <summary>Checks a value; returns the value as PgBouncer should read it, or an error message.</summary>
    public (string? Value, string? Error) Check(string value)
    {
        if (value.Length == 0 || value.Trim() != value)
        {
            return (null, "must not be empty or start or end with white space");
        }

        switch (Kind)
        {
            case ParameterKind.Integer:
                return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= Min && n <= Max
                    ? (n.ToString(CultureInfo.InvariantCulture), null)
                    : (null, $"must be a whole number from {Min.ToString(CultureInfo.InvariantCulture)} to {Max.ToString(CultureInfo.InvariantCulture)}");
            case ParameterKind.Boolean:
                return value.ToLowerInvariant() switch
                {
                    "1" or "yes" or "true" or "on" => ("1", null),
                    "0" or "no" or "false" or "off" => ("0", null),
                    _ => (null, "must be a boolean (0 or 1)"),
                };
            case ParameterKind.Seconds:
                double seconds;
                if (Duration.TryParse(value, out var duration))
                {
                    seconds = duration.Value.TotalSeconds;
                }
                else if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out seconds))
                {
                    return (null, "must be a number of seconds or a duration such as 30s");
                }

                return seconds >= Min && seconds <= Max
                    ? (Duration.ToPgBouncerSeconds(TimeSpan.FromSeconds(seconds)), null)
                    : (null, $"must be between {Min.ToString(CultureInfo.InvariantCulture)}s and {Max.ToString(CultureInfo.InvariantCulture)}s");
            case ParameterKind.Choice:
                return Values!.Contains(value, StringComparer.Ordinal)
                    ? (value, null)
                    : (null, $"must be one of: {string.Join(", ", Values!)}");
            default:
                return value.Length <= 1024 ? (value, null) : (null, "must be at most 1024 characters");
        }
    }
}

/// <summary>
/// The <c>[pgbouncer]</c> settings a user may set through <c>spec.pool.parameters</c>. Settings that SidePool
/// owns (listen address, auth, admin, files, pool sizes that have first-class fields) are not here. Every
/// setting exists in PgBouncer 1.18 unless <see cref="ParameterRule.MinimumPgBouncer"/> says otherwise
/// (PgBouncer refuses to start on a setting it does not know).
/// </summary>
public static class PgBouncerParameters
{
    private const double Day = 86_400;

    public static readonly IReadOnlyDictionary<string, ParameterRule> Allowed = new[]
    {
        new ParameterRule("max_db_connections", ParameterKind.Integer, 0, 100_000),
        new ParameterRule("max_user_connections", ParameterKind.Integer, 0, 100_000),
        new ParameterRule("server_round_robin", ParameterKind.Boolean),
        new ParameterRule("server_fast_close", ParameterKind.Boolean),
        new ParameterRule("server_reset_query", ParameterKind.Text),
        new ParameterRule("server_reset_query_always", ParameterKind.Boolean),
        new ParameterRule("server_connect_timeout", ParameterKind.Seconds, 0, Day),
        new ParameterRule("server_login_retry", ParameterKind.Seconds, 0, Day),
        new ParameterRule("client_login_timeout", ParameterKind.Seconds, 0, Day),
        new ParameterRule("client_idle_timeout", ParameterKind.Seconds, 0, Day),
        new ParameterRule("idle_transaction_timeout", ParameterKind.Seconds, 0, Day),
        new ParameterRule("query_timeout", ParameterKind.Seconds, 0, Day),
        new ParameterRule("reserve_pool_timeout", ParameterKind.Seconds, 0, Day),
        new ParameterRule("suspend_timeout", ParameterKind.Seconds, 0, Day),
        new ParameterRule("dns_max_ttl", ParameterKind.Seconds, 0, Day),
        new ParameterRule("dns_nxdomain_ttl", ParameterKind.Seconds, 0, Day),
        new ParameterRule("dns_zone_check_period", ParameterKind.Seconds, 0, Day),
        new ParameterRule("tcp_keepalive", ParameterKind.Boolean),
        // Linux limits for TCP_KEEPCNT/KEEPIDLE/KEEPINTVL: beyond them PgBouncer silently stops listening on TCP.
        new ParameterRule("tcp_keepcnt", ParameterKind.Integer, 0, 127),
        new ParameterRule("tcp_keepidle", ParameterKind.Integer, 0, 32_767),
        new ParameterRule("tcp_keepintvl", ParameterKind.Integer, 0, 32_767),
        new ParameterRule("tcp_user_timeout", ParameterKind.Integer, 0, 86_400_000),
        new ParameterRule("tcp_socket_buffer", ParameterKind.Integer, 0, 16_777_216),
        new ParameterRule("pkt_buf", ParameterKind.Integer, 512, 1_048_576),
        new ParameterRule("listen_backlog", ParameterKind.Integer, 1, 65_535),
        new ParameterRule("sbuf_loopcnt", ParameterKind.Integer, 0, 1_000_000),
        new ParameterRule("max_packet_size", ParameterKind.Integer, 1024, 2_147_483_647),
        new ParameterRule("application_name_add_host", ParameterKind.Boolean),
        new ParameterRule("log_connections", ParameterKind.Boolean),
        new ParameterRule("log_disconnections", ParameterKind.Boolean),
        new ParameterRule("log_pooler_errors", ParameterKind.Boolean),
        new ParameterRule("log_stats", ParameterKind.Boolean),
        new ParameterRule("stats_period", ParameterKind.Integer, 1, 86_400),
        new ParameterRule("verbose", ParameterKind.Integer, 0, 3),
        new ParameterRule("server_tls_protocols", ParameterKind.Choice, Values: ["secure", "all", "legacy", "tlsv1.2", "tlsv1.3", "tlsv1.2,tlsv1.3"]),
        new ParameterRule("server_tls_ciphers", ParameterKind.Text),
        new ParameterRule("max_prepared_statements", ParameterKind.Integer, 0, 100_000, MinimumPgBouncer: "1.21"),
    }.ToDictionary(r => r.Name, StringComparer.Ordinal);
}
