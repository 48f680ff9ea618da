using SidePool.Api;

namespace SidePool.Core;

/// <summary>Events that a status change deserves (pure): version created and retired, conflict, budget exceeded.</summary>
public static class EventPlanner
{
    public static IReadOnlyList<PoolEvent> Plan(ConnectionPoolStatus? before, ConnectionPoolStatus after)
    {
        var events = new List<PoolEvent>();
        var old = (before?.Versions ?? []).Where(v => v.Version is not null).ToDictionary(v => v.Version!, StringComparer.Ordinal);
        if (after.CurrentVersion is { } current && before?.CurrentVersion != current)
        {
            events.Add(new PoolEvent("Normal", "VersionCreated", "CreateVersion", $"version {current} created" + (before?.CurrentVersion is { } prev ? $" (was {prev})" : "")));
        }

        foreach (var version in after.Versions ?? [])
        {
            if (version.State == VersionStates.Retired && (!old.TryGetValue(version.Version!, out var was) || was.State != VersionStates.Retired) && old.ContainsKey(version.Version!))
            {
                events.Add(new PoolEvent("Normal", "VersionRetired", "RetireVersion", $"version {version.Version} retired: no pod runs it"));
            }
        }

        if (Flipped(before, after, ConditionTypes.Conflict) is { } conflict)
        {
            events.Add(new PoolEvent("Warning", "Conflict", "DetectConflict", conflict));
        }

        if (Flipped(before, after, ConditionTypes.BudgetExceeded) is { } budget)
        {
            events.Add(new PoolEvent("Warning", "BudgetExceeded", "CheckBudget", budget));
        }

        return events;
    }

    /// <summary>The message of a condition that became True.</summary>
    private static string? Flipped(ConnectionPoolStatus? before, ConnectionPoolStatus after, string type)
    {
        var now = after.Conditions?.FirstOrDefault(c => c.Type == type);
        var was = before?.Conditions?.FirstOrDefault(c => c.Type == type);
        return now?.Status == "True" && was?.Status != "True" ? now.Message : null;
    }
}
