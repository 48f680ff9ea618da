using System.Globalization;
using System.Text;
using SidePool.Api;

namespace SidePool.Cli.Status;

/// <summary>
/// What <c>kubectl sidepool recommend</c> prints: the advice of <c>status.recommendation</c> (docs/recommendations.md),
/// the measurements of every version that has them, and the ClientsStuck condition. Pure: the text of a report.
/// </summary>
public static class RecommendScreen
{
    public static string Render(PoolStatusReport report)
    {
        var pool = report.Pool;
        var spec = pool.Spec ?? new ConnectionPoolSpec();
        var status = pool.Status ?? new ConnectionPoolStatus();
        var text = new StringBuilder();
        text.Append(Inv($"ConnectionPool {pool.Metadata.NamespaceProperty ?? "default"}/{pool.Metadata.Name}: pool.size {spec.Pool.Size}, reserve {spec.Pool.ReserveSize}"))
            .Append(spec.Backend?.MaxConnections is { } budget ? Inv($", backend.maxConnections {budget}\n") : ", no budget (backend.maxConnections)\n");

        if (status.Recommendation is not { } advice)
        {
            text.Append("\nNo recommendation yet: the operator reads the agents' measurements every --load-interval (1m by default; 0 turns it off).\n");
        }
        else
        {
            var change = advice.SuggestedPoolSize is { } suggested ? Inv($"pool.size {advice.PoolSize} → {suggested}") : Inv($"pool.size {advice.PoolSize}");
            var allows = advice.BudgetAllows is { } most ? Inv($", budget allows {most}") : "";
            text.Append(Inv($"\n{advice.Reason} for version {advice.Version} ({change}{allows}), since {Since(advice.Since, report.Now)}\n  {advice.Message}\n"));
        }

        var measured = (status.Versions ?? []).Where(v => v.Load is not null).ToList();
        text.Append("\nMeasured (each version's agents over their last 5 minutes; a sample of its ready pods)\n");
        if (measured.Count == 0)
        {
            text.Append("  no version has measurements\n");
        }
        else
        {
            var rows = measured.Select(v => new[]
            {
                v.Version ?? "", v.State ?? "", N(v.Load!.Pods), N(v.Load.Transactions), Wait(v.Load.WaitP95Ms), Percent(v.Load.ServerUtilisationPercent),
                N(v.Load.DemandP95), Percent(v.Load.IdleInTransactionPercent), Inv($"{v.Load.ClosedIdleInTransaction ?? 0}/{v.Load.ClosedWaiting ?? 0}/{v.Load.ClosedIdle ?? 0}"),
            }).ToList();
            string[] header = ["VERSION", "STATE", "PODS", "TRANSACTIONS", "WAIT P95", "SERVERS BUSY", "DEMAND P95", "IDLE IN TX", "CLOSED TX/WAIT/IDLE"];
            var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
            foreach (var row in rows.Prepend(header))
            {
                text.Append("  ").Append(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd()).Append('\n');
            }
        }

        if (status.Conditions?.FirstOrDefault(c => c.Type == "ClientsStuck") is { } stuck)
        {
            text.Append(Inv($"\nClientsStuck {stuck.Status} ({stuck.Reason}): {stuck.Message}\n"));
        }

        return text.ToString();
    }

    private static string Wait(long? ms) => ms is null ? "-" : ms == 0 ? "<1 ms" : Inv($"{ms} ms");

    private static string Percent(int? value) => value is { } v ? Inv($"{v}%") : "-";

    private static string N(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    private static string N(int? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    private static string Since(DateTimeOffset? since, DateTimeOffset now)
    {
        if (since is not { } s)
        {
            return "unknown";
        }

        var age = now - s;
        return age.TotalMinutes < 1 ? Inv($"{Math.Max(0, (int)age.TotalSeconds)}s ago") : age.TotalHours < 1 ? Inv($"{(int)age.TotalMinutes}m ago") : Inv($"{(int)age.TotalHours}h ago");
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
