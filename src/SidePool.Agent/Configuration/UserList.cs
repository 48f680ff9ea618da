namespace SidePool.Agent.Configuration;

/// <summary>PgBouncer's <c>auth_file</c>: lines <c>"user" "password"</c> where <c>""</c> escapes a quote.</summary>
internal sealed class UserList
{
    private readonly Dictionary<string, string> _passwords;

    private UserList(Dictionary<string, string> passwords) => _passwords = passwords;

    public IReadOnlyCollection<string> Users => _passwords.Keys;

    /// <summary>The stored secret of a user (plain, <c>md5…</c> or <c>SCRAM-SHA-256$…</c>); null when absent.</summary>
    public string? PasswordOf(string user) => _passwords.GetValueOrDefault(user);

    /// <summary>The plain password of a user, or null when absent or stored as a hash (it cannot log in then).</summary>
    public string? PlainPasswordOf(string user) =>
        PasswordOf(user) is { } secret && !IsHashed(secret) ? secret : null;

    public static UserList Parse(string text)
    {
        var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
            {
                continue;
            }

            var position = 0;
            var user = ReadQuoted(line, ref position, lineNumber);
            while (position < line.Length && char.IsWhiteSpace(line[position]))
            {
                position++;
            }

            var password = ReadQuoted(line, ref position, lineNumber);
            passwords[user] = password;
        }

        return new UserList(passwords);
    }

    private static bool IsHashed(string secret) =>
        (secret.Length == 35 && secret.StartsWith("md5", StringComparison.Ordinal))
        || secret.StartsWith("SCRAM-SHA-256$", StringComparison.Ordinal);

    private static string ReadQuoted(string line, ref int position, int lineNumber)
    {
        if (position >= line.Length || line[position] != '"')
        {
            throw new ConfigProblemException($"userlist.txt line {lineNumber}: expected \"user\" \"password\"");
        }

        var value = new System.Text.StringBuilder();
        position++;
        while (position < line.Length)
        {
            var c = line[position++];
            if (c != '"')
            {
                value.Append(c);
                continue;
            }

            if (position < line.Length && line[position] == '"')
            {
                value.Append('"');
                position++;
                continue;
            }

            return value.ToString();
        }

        throw new ConfigProblemException($"userlist.txt line {lineNumber}: unterminated quoted field");
    }
}
