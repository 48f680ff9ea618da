using System.Text;

namespace SidePool.Core;

/// <summary>PgBouncer's <c>auth_file</c>: one <c>"user" "password"</c> line each, <c>""</c> escaping a quote.</summary>
public static class UserList
{
    public static string Render(IEnumerable<(string User, string Password)> entries)
    {
        var text = new StringBuilder();
        foreach (var (user, password) in entries)
        {
            text.Append(Quote(user)).Append(' ').Append(Quote(password)).Append('\n');
        }

        return text.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
