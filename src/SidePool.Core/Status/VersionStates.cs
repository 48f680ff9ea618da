namespace SidePool.Core;

/// <summary>The states of a pool version in status.</summary>
public static class VersionStates
{
    public const string Current = "Current";
    public const string Draining = "Draining";
    public const string Retired = "Retired";
}

/// <summary>Condition types of a pool.</summary>
public static class ConditionTypes
{
    public const string Ready = "Ready";
    public const string Progressing = "Progressing";
    public const string Degraded = "Degraded";
    public const string Conflict = "Conflict";
    public const string BudgetExceeded = "BudgetExceeded";
    public const string ClientsStuck = "ClientsStuck";
}
