namespace SidePool.Agent.Health;

/// <summary>The answer of a health check: whether it passed and why (the body of the HTTP response).</summary>
internal sealed record HealthResult(bool Ok, string Reason)
{
    public static HealthResult Pass(string reason) => new(true, reason);

    public static HealthResult Fail(string reason) => new(false, reason);
}
