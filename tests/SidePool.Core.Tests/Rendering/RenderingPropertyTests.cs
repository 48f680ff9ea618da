using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Core.Tests;

/// <summary>Random valid specs all render into files a real PgBouncer loads and serves.</summary>
public sealed class RenderingPropertyTests(ITestOutputHelper output)
{
    private const int Cases = 200;

    [Fact]
    public async Task RandomValidSpecsStartARealPgBouncer()
    {
        var seed = Environment.GetEnvironmentVariable("SIDEPOOL_PROPERTY_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 20261121;
        output.WriteLine($"seed {seed} (set SIDEPOOL_PROPERTY_SEED to replay)");
        var generator = new RandomPools(seed);
        var ca = SelfSignedCaPem();
        var cases = Enumerable.Range(0, Cases).Select(_ => generator.Next(ca)).ToList();
        var versions = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Cases), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var (pool, credentials) = cases[i];
            Assert.Empty(ConnectionPoolValidator.Validate(pool));
            await using var running = await StartOrExplainAsync(pool, credentials, i, seed);
            var version = await running.AdminAsync("SHOW VERSION");
            Assert.StartsWith("PgBouncer 1.", version, StringComparison.Ordinal);

            var config = (await running.AdminAsync("SHOW CONFIG")).Split('\n').Select(l => l.Split('|')).ToDictionary(f => f[0], f => f[1]);
            var ini = running.Rendered.Files[VersionContract.Files.Ini];
            Assert.Equal(pool.Spec!.Pool.Mode, config["pool_mode"]);
            Assert.Equal(pool.Spec.Pool.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), config["default_pool_size"]);
            Assert.Equal(pool.Spec.Pool.HealthCheck.Query, config["server_check_query"]);
            Assert.Contains($"server_check_query = {config["server_check_query"]}\n", ini, StringComparison.Ordinal);
            versions[running.Rendered.ConfigRevision] = true;
        });

        output.WriteLine($"{Cases} random specs served by a real PgBouncer; {versions.Count} distinct revisions");
        Assert.True(versions.Count > Cases / 2, "the generator should produce mostly distinct pools");
    }

    private static async Task<RunningPool> StartOrExplainAsync(ConnectionPool pool, PoolCredentials credentials, int index, int seed)
    {
        try
        {
            return await RunningPool.StartAsync(pool, credentials);
        }
        catch (InvalidOperationException e)
        {
            var ini = PoolRenderer.Render(pool, credentials, Pools.Client with { Username = credentials.Username }, Pools.Secrets).Files[VersionContract.Files.Ini];
            throw new InvalidOperationException($"case {index} (seed {seed}) did not start: {e.Message}\n{ini}", e);
        }
    }

    private static string SelfSignedCaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=sidepool-test-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem() + "\n";
    }
}
