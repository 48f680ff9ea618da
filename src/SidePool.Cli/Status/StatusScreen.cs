using System.Globalization;
using System.Text;
using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Cli.Status;

/// <summary>What <c>kubectl sidepool status</c> shows: the pool as read, its pods and its events, at one moment.</summary>
public sealed record PoolStatusReport(ConnectionPool Pool, IReadOnlyList<Pod> Pods, IReadOnlyList<Event> Events, DateTimeOffset Now);

/// <summary>
/// One screen for one pool (as <c>kubectl cnpg status</c> does for a cluster): the spec in a line each, the versions and
/// their pods, targets, the server-connection budget, conditions, the pods with the version each runs, and recent
/// events. Pure: the command reads, this writes text. Never prints a Secret's content: the pool names Secrets only.
/// </summary>
public static class StatusScreen
{
    public const int MaxEvents = 10;

    public static string Render(PoolStatusReport report)
    {
        var pool = report.Pool;
        var name = pool.Metadata.Name ?? "";
        var spec = pool.Spec ?? new ConnectionPoolSpec();
        var status = pool.Status ?? new ConnectionPoolStatus();
        var text = new StringBuilder();

        text.Append(Inv($"ConnectionPool {pool.Metadata.NamespaceProperty ?? "default"}/{name}\n"));
        Field(text, "Selector", Selector(spec.Selector));
        Field(text, "Backend", Backend(spec.Backend));
        Field(text, "Pool", Inv($"mode {spec.Pool.Mode}, size {spec.Pool.Size}, reserve {spec.Pool.ReserveSize}, min {spec.Pool.MinSize}, max clients {spec.Pool.MaxClientConnections}"));
        Field(text, "Generation", status.ObservedGeneration == pool.Metadata.Generation
            ? Inv($"{pool.Metadata.Generation} (observed)")
            : Inv($"{pool.Metadata.Generation} (operator has seen {status.ObservedGeneration?.ToString(CultureInfo.InvariantCulture) ?? "none yet"})"));
        Field(text, "Current version", status.CurrentVersion ?? "none published yet");

        var targets = status.Targets;
        Field(text, "Targets", targets is null
            ? "not counted yet"
            : Inv($"{targets.Workloads ?? 0} workloads, {targets.Pods ?? 0} pods: {targets.Injected ?? 0} injected, {targets.Outdated ?? 0} outdated, {targets.Missing ?? 0} missing a sidecar"));
        Field(text, "Server connections", Budget(status.ServerConnections, spec.Backend?.MaxConnections));
        Field(text, "Recommendation", status.Recommendation is { } advice
            ? Inv($"{advice.Reason}: {advice.Message} (kubectl sidepool recommend {name})")
            : "none yet");

        text.Append("\nVersions\n");
        Table(
            text,
            ["VERSION", "STATE", "PODS", "READY", "TERMINATING", "AGE"],
            (status.Versions ?? []).Select(v => new[]
            {
                v.Version ?? "", v.State ?? "", Count(v.Pods), Count(v.ReadyPods), Count(v.TerminatingPods), Age(v.CreatedAt, report.Now),
            }),
            "no version yet");

        text.Append("\nConditions\n");
        Table(
            text,
            ["TYPE", "STATUS", "REASON", "AGE", "MESSAGE"],
            (status.Conditions ?? []).Select(c => new[]
            {
                c.Type ?? "", c.Status ?? "", c.Reason ?? "", Age(c.LastTransitionTime, report.Now), c.Message ?? "",
            }),
            "none yet");

        text.Append("\nPods\n");
        Table(
            text,
            ["NAME", "VERSION", "READY", "STATUS", "RESTARTS", "AGE"],
            report.Pods.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).Select(p => new[]
            {
                p.Metadata.Name ?? "", VersionContract.Labels.VersionOf(p.Metadata.Labels, name) ?? "", Ready(p), Phase(p),
                Restarts(p), Age(p.Metadata.CreationTimestamp, report.Now),
            }),
            "no pod carries this pool's sidecar");

        var events = report.Events.OrderBy(When).TakeLast(MaxEvents).ToList();
        text.Append(report.Events.Count > MaxEvents ? Inv($"\nRecent events (last {MaxEvents} of {report.Events.Count})\n") : "\nRecent events\n");
        Table(
            text,
            ["AGE", "TYPE", "REASON", "COUNT", "MESSAGE"],
            events.Select(e => new[]
            {
                Age(When(e), report.Now), e.Type ?? "", e.Reason ?? "", Count(e.Series?.Count ?? 1), e.Note ?? "",
            }),
            "none (events expire after an hour by default)");
        return text.ToString();
    }

    /// <summary>kubectl's age format (k8s.io/apimachinery duration.HumanDuration): 45s, 3m20s, 12m, 4h5m, 30h, 5d3h, 40d.</summary>
    public static string HumanDuration(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        var seconds = (long)age.TotalSeconds;
        var minutes = (long)age.TotalMinutes;
        var hours = (long)age.TotalHours;
        return seconds switch
        {
            < 60 * 2 => Inv($"{seconds}s"),
            _ when minutes < 10 => seconds % 60 == 0 ? Inv($"{minutes}m") : Inv($"{minutes}m{seconds % 60}s"),
            _ when minutes < 60 * 3 => Inv($"{minutes}m"),
            _ when hours < 8 => minutes % 60 == 0 ? Inv($"{hours}h") : Inv($"{hours}h{minutes % 60}m"),
            _ when hours < 48 => Inv($"{hours}h"),
            _ when hours < 24 * 8 => hours % 24 == 0 ? Inv($"{hours / 24}d") : Inv($"{hours / 24}d{hours % 24}h"),
            _ when hours < 24 * 365 * 2 => Inv($"{hours / 24}d"),
            _ when hours < 24 * 365 * 8 => (hours / 24) % 365 == 0 ? Inv($"{hours / 24 / 365}y") : Inv($"{hours / 24 / 365}y{(hours / 24) % 365}d"),
            _ => Inv($"{hours / 24 / 365}y"),
        };
    }

    private static string Selector(LabelSelector? selector)
    {
        if (selector is null)
        {
            return "none";
        }

        var parts = (selector.MatchLabels ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}")
            .Concat((selector.MatchExpressions ?? []).Select(e => e.OperatorProperty switch
            {
                "Exists" => e.Key ?? "",
                "DoesNotExist" => "!" + e.Key,
                _ => $"{e.Key} {e.OperatorProperty?.ToLowerInvariant()} ({string.Join(",", e.Values ?? [])})",
            }));
        return string.Join(",", parts);
    }

    private static string Backend(BackendSpec? backend) => backend is null
        ? "none"
        : Inv($"{backend.Host}:{backend.Port}/{backend.Database} (tls {backend.Tls.Mode}; credentials from Secret {backend.CredentialsSecret?.Name})")
            + (backend.ReadOnlyHost is { } readOnly ? Inv($", read-only {readOnly}") : "");

    private static string Budget(ServerConnectionsStatus? connections, int? budget)
    {
        if (connections is null)
        {
            return budget is { } b ? Inv($"budget {b}, not counted yet") : "not counted yet";
        }

        var line = connections.Share is { } share
            ? Inv($"{connections.Total ?? 0} at most (share {share} per pod and entry for {connections.PlannedPods ?? 0} planned pods; {connections.Admitted ?? 0} admitted, {connections.Pending ?? 0} pending, {connections.Unmanaged ?? 0} unmanaged)")
            : Inv($"{connections.Total ?? 0} at most ({connections.PerPod ?? 0} per pod x {connections.Pods ?? 0} pods)");
        return (connections.Budget ?? budget) switch
        {
            { } b when (connections.Total ?? 0) > b => line + Inv($", OVER the budget of {b}"),
            { } b => line + Inv($" of a budget of {b}"),
            null => line + ", no budget set (backend.maxConnections)",
        };
    }

    private static string Ready(Pod pod)
    {
        var statuses = (pod.Status?.ContainerStatuses ?? []).Concat((pod.Status?.InitContainerStatuses ?? []).Where(s => IsSidecar(pod, s.Name))).ToList();
        var containers = (pod.Spec?.Containers?.Count ?? 0) + (pod.Spec?.InitContainers?.Count(c => c.RestartPolicy == "Always") ?? 0);
        return Inv($"{statuses.Count(s => s.Ready)}/{containers}");
    }

    private static bool IsSidecar(Pod pod, string name) => pod.Spec?.InitContainers?.Any(c => c.Name == name && c.RestartPolicy == "Always") ?? false;

    private static string Phase(Pod pod) => pod.Metadata.DeletionTimestamp is not null ? "Terminating" : pod.Status?.Phase ?? "Pending";

    private static string Restarts(Pod pod) => Count((pod.Status?.ContainerStatuses ?? []).Sum(s => s.RestartCount)
        + (pod.Status?.InitContainerStatuses ?? []).Where(s => IsSidecar(pod, s.Name)).Sum(s => s.RestartCount));

    private static DateTime? When(Event e) =>
        e.Series?.LastObservedTime ?? e.EventTime ?? e.DeprecatedLastTimestamp ?? e.Metadata.CreationTimestamp;

    private static string Age(DateTime? time, DateTimeOffset now) =>
        time is { } t ? HumanDuration(now - new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))) : "";

    private static string Age(DateTimeOffset? time, DateTimeOffset now) => time is { } t ? HumanDuration(now - t) : "";

    private static string Count(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "0";

    private static void Field(StringBuilder text, string label, string value) =>
        text.Append(Inv($"  {label + ":",-20}{value}\n"));

    private static void Table(StringBuilder text, string[] header, IEnumerable<string[]> rows, string empty)
    {
        var all = rows.ToList();
        if (all.Count == 0)
        {
            text.Append(Inv($"  {empty}\n"));
            return;
        }

        all.Insert(0, header);
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            var cells = row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]));
            text.Append("  ").Append(string.Join("  ", cells).TrimEnd()).Append('\n');
        }
    }

    private static string Inv(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
