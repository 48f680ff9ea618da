namespace SidePool.Agent;

/// <summary>How the sidecar is terminated, which decides how it drains.</summary>
internal enum DrainMode
{
    /// <summary>Native sidecar: SIGTERM arrives after the app containers exited; finish in-flight work and stop.</summary>
    Native,

    /// <summary>Classic container: SIGTERM arrives with the app's; keep serving until the app's clients are gone.</summary>
    Classic,
}
