using System.Globalization;

namespace SidePool.Sandbox;

/// <summary>
/// Ends <c>sidepool-sandbox up</c> when the process that started it is gone: its parent changed (it was reparented to
/// init or a subreaper). A test host that ends before it could signal the sandbox (a run cut short) otherwise leaves the
/// sandbox, its kubelet and every pod running, restarting containers on a machine other tests share. A sandbox started
/// by init (parent 1) is not watched.
/// </summary>
internal static class ParentWatch
{
    /// <summary>Completes once <paramref name="parentPid"/> no longer returns <paramref name="first"/> (the parent at start).</summary>
    public static async Task OrphanedAsync(int first, Func<int> parentPid, TimeSpan period, CancellationToken cancellationToken)
    {
        if (first <= 1)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return;
        }

        while (true)
        {
            await Task.Delay(period, cancellationToken);
            if (parentPid() != first)
            {
                return;
            }
        }
    }

    /// <summary>This process' parent (<c>/proc/self/stat</c>: the field after the state, past the command's closing parenthesis).</summary>
    public static int ParentPid()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1], CultureInfo.InvariantCulture);
    }
}
