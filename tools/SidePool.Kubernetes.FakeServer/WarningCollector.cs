namespace SidePool.Kubernetes.FakeServer;

/// <summary>Warnings for one request, de-duplicated in arrival order (as the apiserver's warning recorder does). Thread-safe.</summary>
internal sealed class WarningCollector
{
    private readonly Lock _lock = new();
    private readonly List<string> _warnings = [];

    public void Add(string warning)
    {
        if (string.IsNullOrWhiteSpace(warning))
        {
            return;
        }

        lock (_lock)
        {
            if (!_warnings.Contains(warning))
            {
                _warnings.Add(warning);
            }
        }
    }

    public IReadOnlyList<string> All
    {
        get
        {
            lock (_lock)
            {
                return _warnings.ToList();
            }
        }
    }

    /// <summary>The RFC 7234 <c>Warning</c> header value the apiserver sends: <c>299 - "text"</c> with <c>\</c> and <c>"</c> escaped.</summary>
    public static string HeaderValue(string warning)
    {
        var text = new string(warning.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return "299 - \"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
