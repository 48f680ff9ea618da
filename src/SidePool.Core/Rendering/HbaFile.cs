using System.Text;

namespace SidePool.Core;

/// <summary>
/// PgBouncer's <c>auth_hba_file</c>: the admin console only for the agent, only over the unix socket, with
/// SCRAM; applications over loopback and the socket with trust or SCRAM; nothing else.
/// </summary>
public static class HbaFile
{
    public static string Render(string adminUser, string clientAuth)
    {
        var method = clientAuth == "scram" ? "scram-sha-256" : "trust";
        var text = new StringBuilder();
        text.Append("# Rendered by SidePool.\n");
        text.Append("# Admin console: only the agent, only over the unix socket.\n");
        text.Append($"local pgbouncer {adminUser} scram-sha-256\n");
        text.Append("local pgbouncer all reject\n");
        text.Append("host pgbouncer all 0.0.0.0/0 reject\n");
        text.Append("host pgbouncer all ::/0 reject\n");
        text.Append($"# Applications in the pod: loopback and the socket ({clientAuth}).\n");
        text.Append($"local all all {method}\n");
        text.Append($"host all all 127.0.0.1/32 {method}\n");
        text.Append($"host all all ::1/128 {method}\n");
        text.Append("host all all 0.0.0.0/0 reject\n");
        text.Append("host all all ::/0 reject\n");
        return text.ToString();
    }
}
