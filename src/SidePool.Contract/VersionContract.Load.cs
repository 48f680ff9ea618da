namespace SidePool.Contract;

public static partial class VersionContract
{
    /// <summary>
    /// What an agent measured of its pools (<see cref="LoadReport"/>, <see cref="LoadMessages"/>): an unsigned
    /// <c>GET</c> on the agent's health port (the same figures /metrics exports; no secret in it). The operator reads it
    /// for <c>status.recommendation</c> and the <c>ClientsStuck</c> condition (docs/recommendations.md).
    /// </summary>
    public static class Load
    {
        public const string Path = "/load";

        /// <summary>The timeouts whose closed clients are counted (PgBouncer's names for them, as it logs them).</summary>
        public static readonly IReadOnlyList<string> Timeouts = [IdleTransactionTimeout, QueryWaitTimeout, ClientIdleTimeout];

        public const string IdleTransactionTimeout = "idle_transaction_timeout";

        public const string QueryWaitTimeout = "query_wait_timeout";

        public const string ClientIdleTimeout = "client_idle_timeout";
    }
}
