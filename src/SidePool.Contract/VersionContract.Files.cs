namespace SidePool.Contract;

public static partial class VersionContract
{
    /// <summary>The data keys of a version Secret: files in the sidecar's config directory. Several hold passwords.</summary>
    public static class Files
    {
        public const string Ini = "pgbouncer.ini";

        public const string UserList = "userlist.txt";

        public const string Hba = "pg_hba.conf";

        /// <summary>The agent's settings (<see cref="AgentConfig"/>).</summary>
        public const string Agent = "sidepool.json";

        /// <summary>The backend's CA bundle, when the backend is verified.</summary>
        public const string ServerCa = "server-ca.crt";

        /// <summary>The client password applications log in with (secretKeyRef of PGPASSWORD under clientAuth scram).</summary>
        public const string ClientPassword = "client-password";

        /// <summary>The URL to the sidecar with the client password (secretKeyRef of the URL variable under clientAuth scram).</summary>
        public const string DatabaseUrl = "database-url";

        /// <summary>The URL straight to the backend with the backend password (secretKeyRef of the direct URL variable).</summary>
        public const string DirectUrl = "database-url-direct";

        /// <summary>Where app containers find the server CA in their CA mount.</summary>
        public const string AppCa = "ca.crt";
    }
}
