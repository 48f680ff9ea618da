using SidePool.Api;

namespace SidePool.Core;

/// <summary>
/// Builds what the operator publishes for a pool (pure): PgBouncer's files, the app files, the version (a hash of the
/// pod contract, <see cref="VersionHash"/>) and the config revision. The CLI's <c>render</c> uses the same path.
/// </summary>
public static class PoolVersionBuilder
{
    /// <summary>The version a pool gets now.</summary>
    public static RenderedPool Build(string poolName, ConnectionPoolSpec spec, PoolCredentials backend, ClientCredentials client, PoolKey secrets, InjectionOptions settings, string sidecarMode)
    {
        var (inputs, config) = Prepare(poolName, spec, backend, client, secrets, ImageOf(spec, settings), sidecarMode);
        var appFiles = AppEnvironment.Files(inputs, client, backend);
        var version = VersionHash.Compute(inputs, settings, config.RestartSettings, appFiles, secrets);
        return PoolRenderer.Finish(config, version, inputs.Image, secrets, appFiles);
    }

    /// <summary>
    /// Renders an existing version again with the backend credentials and pool key in force (rotation reaches
    /// versions that are still draining): its own spec, image, mode and client credentials, its name unchanged.
    /// </summary>
    public static RenderedPool Rebuild(string version, string poolName, ConnectionPoolSpec spec, string image, PoolCredentials backend, ClientCredentials client, PoolKey secrets, string sidecarMode)
    {
        var (inputs, config) = Prepare(poolName, spec, backend, client, secrets, image, sidecarMode);
        return PoolRenderer.Finish(config, version, inputs.Image, secrets, AppEnvironment.Files(inputs, client, backend));
    }

    /// <summary>The sidecar image of a pool: its own, or the operator's default.</summary>
    public static string ImageOf(ConnectionPoolSpec spec, InjectionOptions settings) =>
        spec.Sidecar.Image.Length > 0 ? spec.Sidecar.Image : settings.DefaultImage;

    private static (ContractInputs Inputs, RenderedConfig Config) Prepare(string poolName, ConnectionPoolSpec spec, PoolCredentials backend, ClientCredentials client, PoolKey secrets, string image, string sidecarMode)
    {
        if (!SidecarModes.IsValid(sidecarMode))
        {
            throw new ArgumentException($"pool {poolName}: unknown sidecar mode '{sidecarMode}'", nameof(sidecarMode));
        }

        var inputs = new ContractInputs { PoolName = poolName, Spec = spec, ClientUser = client.Username, Image = image, SidecarMode = sidecarMode };
        return (inputs, PoolRenderer.Render(poolName, spec, backend, client, secrets, RenderLayout.Of(inputs.Layout)));
    }
}
