using System.Globalization;
using SidePool.Demo;

namespace SidePool.ClusterE2E;

/// <summary>One scenario's verdict, with what was seen.</summary>
internal sealed record Check(string Name, bool Passed, string Detail)
{
    public const string Injected = "a pool and a Deployment of the load generator: sidecars injected, transactions committed, none failed";
    public const string ReloadInPlace = "reloadable changes (pool size, backend password) apply in place: the same pods";
    public const string NewVersion = "a restart-only change rolls a new version while the old pods drain";
    public const string GetPools = "kubectl get pools shows the versions and their pod counts";
    public const string Uninstall = "helm uninstall leaves no webhook configuration";

    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} {Name}: {Detail}";

    /// <summary>The tour's result as the scenarios' verdicts (the same assertions as tests/SidePool.E2E/TourTests).</summary>
    public static IReadOnlyList<Check> FromTour(DemoResult tour)
    {
        var failures = tour.Failed == 0 ? "" : "; first failures: " + string.Join(" | ", tour.Failures.Take(3).Select(f => $"{f.Pod}: {f.Error}"));
        var perVersion = string.Join(" ", tour.PodsPerVersion.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value}"));
        var expected = new Dictionary<string, int> { [tour.SecondVersion] = 2 };
        return
        [
            new(Injected, tour.Committed > 0 && tour.Failed == 0 && tour.Pods.Count > 0, string.Create(CultureInfo.InvariantCulture, $"{tour.Committed} committed, {tour.Failed} failed, {tour.Pods.Count} app pods reported{failures}")),
            new(ReloadInPlace, tour.ReloadedInPlace, tour.ReloadedInPlace ? "no pod replaced" : "pods were replaced"),
            new(NewVersion, tour.FirstVersion != tour.SecondVersion && tour.FirstVersionState == "Retired" && tour.Failed == 0, $"{tour.FirstVersion} → {tour.SecondVersion}, {tour.FirstVersion} {tour.FirstVersionState ?? "gone"}, {tour.Failed} failed"),
            new(
                GetPools,
                Same(tour.PodsPerVersion, expected) && Same(tour.StatusPodsPerVersion, expected) && tour.GetPools.Contains($"{tour.SecondVersion}:2", StringComparison.Ordinal),
                $"pods {perVersion}; kubectl get pools: {string.Join(" / ", tour.GetPools.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}"),
        ];
    }

    private static bool Same(IReadOnlyDictionary<string, int> a, IReadOnlyDictionary<string, int> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);
}
