namespace SidePool.Core;

/// <summary>One piece of sizing advice (<see cref="Recommender"/>).</summary>
public sealed record Recommendation(string Reason, int PoolSize, int? SuggestedPoolSize, int? BudgetAllows, string Message)
{
    public const string RaisePoolSize = "RaisePoolSize";
    public const string LowerPoolSize = "LowerPoolSize";
    public const string BudgetLimited = "BudgetLimited";
    public const string Keep = "Keep";
    public const string NotEnoughData = "NotEnoughData";
}
