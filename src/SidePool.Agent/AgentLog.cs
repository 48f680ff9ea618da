using System.Globalization;

namespace SidePool.Agent;

/// <summary>
/// Plain line logging to stdout: <c>timestamp level [component] message</c>. Callers never pass secrets.
/// </summary>
internal static class AgentLog
{
    private static readonly Lock Gate = new();

    public static void Info(string component, string message) => Write("INFO", component, message);

    public static void Warn(string component, string message) => Write("WARN", component, message);

    public static void Error(string component, string message) => Write("ERROR", component, message);

    /// <summary>Forwards a line of PgBouncer's own log unchanged (it carries its own timestamp and level).</summary>
    public static void Forward(string source, string line)
    {
        lock (Gate)
        {
            Console.Out.Write($"[{source}] {line}\n");
            Console.Out.Flush();
        }
    }

    private static void Write(string level, string component, string message)
    {
        var timestamp = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        lock (Gate)
        {
            Console.Out.Write($"{timestamp} {level} [{component}] {message}\n");
            Console.Out.Flush();
        }
    }
}
