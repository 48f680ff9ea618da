using System.Text.RegularExpressions;
using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>Checks credentials read from a Secret; errors name the Secret key, never the value.</summary>
public static partial class CredentialsValidator
{
    public static IReadOnlyList<FieldError> Validate(PoolCredentials credentials, BackendSpec backend)
    {
        var secret = backend.CredentialsSecret!;
        var errors = new List<FieldError>();
        if (!UserName().IsMatch(credentials.Username))
        {
            errors.Add(new($"data.{secret.UsernameKey}", "must be a PostgreSQL user name of letters, digits, '_', '.', '@', '$' or '-' (at most 63 characters)"));
        }
        else if (credentials.Username == VersionContract.AdminUser)
        {
            errors.Add(new($"data.{secret.UsernameKey}", $"must not be {VersionContract.AdminUser} (reserved for the agent)"));
        }

        if (credentials.Password.Length == 0)
        {
            errors.Add(new($"data.{secret.PasswordKey}", "must not be empty"));
        }
        else if (credentials.Password.Any(c => c is '\0' or '\n' or '\r'))
        {
            errors.Add(new($"data.{secret.PasswordKey}", "must not contain newline, carriage return or NUL"));
        }
        else if (credentials.Password.Contains("\\'", StringComparison.Ordinal))
        {
            // Inside a quoted connection-string value PgBouncer 1.18 reads a backslash literally; some builds read
            // backslash-quote as an escaped quote. No quoting means the same to both, so such a password is refused.
            errors.Add(new($"data.{secret.PasswordKey}", "must not contain a backslash directly followed by a single quote (PgBouncer versions read it differently)"));
        }

        if (credentials.CaCertificate is { } ca && !ca.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            errors.Add(new($"data.{backend.Tls.CaSecret?.Key ?? "ca.crt"}", "must be a PEM certificate bundle"));
        }

        return errors;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.@$-]{0,62}$")]
    private static partial Regex UserName();
}
