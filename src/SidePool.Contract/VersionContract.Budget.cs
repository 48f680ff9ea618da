namespace SidePool.Contract;

public static partial class VersionContract
{
    /// <summary>
    /// The connection budget's wire contract between the operator and the agent (<see cref="BudgetMessages"/>):
    /// <c>PUT</c> and <c>GET</c> on the agent's health port, signed with the version's budget key
    /// (<see cref="AgentBudget.Key"/>). See docs/budget.md.
    /// </summary>
    public static class Budget
    {
        /// <summary>The agent's endpoint: <c>GET</c> the applied share, <c>PUT</c> a new one.</summary>
        public const string Path = "/budget";

        /// <summary>Header carrying the hex HMAC-SHA-256 of the request body (PUT) or of the path (GET) under the budget key.</summary>
        public const string SignatureHeader = "X-Sidepool-Signature";

        /// <summary>The purpose string the per-version budget key is derived with (HMAC of the pool key).</summary>
        public const string KeyPurpose = "sidepool.dev/budget-key/v1";
    }
}
