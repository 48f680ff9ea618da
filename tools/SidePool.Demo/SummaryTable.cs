using System.Globalization;
using System.Text;

namespace SidePool.Demo;

/// <summary>The demo's summary as a Markdown table (printed and written next to the plot).</summary>
internal static class SummaryTable
{
    public static string Render(IReadOnlyList<StepSummary> rows)
    {
        var text = new StringBuilder();
        text.Append("| step | took | transactions | failed | tps | pods per version at the end |\n");
        text.Append("|---|---:|---:|---:|---:|---|\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Step} | {row.Duration.TotalSeconds:0.0} s | {row.Transactions} | {row.Failed} | {row.Tps:0} | {row.PodsPerVersion} |\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"| **total** | {rows.Sum(r => r.Duration.TotalSeconds):0.0} s | {rows.Sum(r => r.Transactions)} | {rows.Sum(r => r.Failed)} | | |\n");
        return text.ToString();
    }
}
