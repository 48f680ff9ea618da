namespace SidePool.PgBouncer.Admin;

/// <summary>An error reported by the admin console (ErrorResponse) or a protocol failure talking to it.</summary>
public sealed class PgBouncerAdminException : Exception
{
    public PgBouncerAdminException()
    {
    }

    public PgBouncerAdminException(string message)
        : base(message)
    {
    }

    public PgBouncerAdminException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PgBouncerAdminException(string message, string? sqlState, string? severity)
        : base(message)
    {
        SqlState = sqlState;
        Severity = severity;
    }

    /// <summary>The SQLSTATE of an ErrorResponse (e.g. <c>08P01</c>); null for protocol failures.</summary>
    public string? SqlState { get; }

    public string? Severity { get; }
}
