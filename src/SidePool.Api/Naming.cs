namespace SidePool.Api;

/// <summary>Names and patterns of the API. Patterns are RE2- and .NET-compatible and anchored.</summary>
public static class Naming
{
    public const string Group = "sidepool.dev";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;
    public const string Kind = "ConnectionPool";
    public const string ListKind = "ConnectionPoolList";
    public const string Plural = "connectionpools";
    public const string Singular = "connectionpool";
    public static readonly IReadOnlyList<string> ShortNames = ["pool", "pools"];
    public static readonly IReadOnlyList<string> Categories = ["sidepool"];

    /// <summary>RFC 1123 host name, IPv4 or IPv6 address.</summary>
    public const string HostPattern =
        @"^(([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$";

    /// <summary>PostgreSQL database names SidePool accepts (no quoting needed in PgBouncer's [databases]).</summary>
    public const string DatabasePattern = @"^[A-Za-z0-9_][A-Za-z0-9_.-]*$";

    /// <summary>Kubernetes object name (DNS subdomain).</summary>
    public const string SecretNamePattern = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /// <summary>Key of a Secret's data.</summary>
    public const string SecretKeyPattern = @"^[-._a-zA-Z0-9]+$";

    /// <summary>One line of printable text: no control characters (newline, NUL, tab...).</summary>
    public const string SingleLinePattern = @"^[^\x00-\x1f\x7f]*$";

    /// <summary>Container image reference, or empty.</summary>
    public const string ImagePattern = @"^([a-zA-Z0-9][a-zA-Z0-9._/:@-]*)?$";

    /// <summary>Environment variable name, or empty to disable it.</summary>
    public const string EnvNamePattern = @"^([A-Za-z_][A-Za-z0-9_]*)?$";
}
