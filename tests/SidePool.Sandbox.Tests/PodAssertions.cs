using System.Text.Json;
using SidePool.Kubernetes.Client;

namespace SidePool.Sandbox.Tests;

/// <summary>Reading pods and podman's record of their containers.</summary>
internal static class PodAssertions
{
    public static PodCondition? Condition(Pod pod, string type) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static bool Ready(Pod pod) => Condition(pod, "Ready")?.Status == "True";

    public static async Task<Pod?> GetAsync(KubernetesClient client, string @namespace, string name) =>
        await client.Resource(KubernetesResources.Pods).TryGetAsync(name, @namespace);

    public static Task<Pod?> WaitAsync(SandboxFixture sandbox, string @namespace, string name, Func<Pod?, bool> done, string what, int seconds = 60) =>
        Tools.EventuallyAsync(
            () => GetAsync(sandbox.Client, @namespace, name),
            done,
            TimeSpan.FromSeconds(seconds),
            pod => Task.FromResult($"{what}; pod {@namespace}/{name}: {(pod is null ? "gone" : k8s.KubernetesJson.Serialize(pod.Status))}\n--- sandbox log ---\n{string.Join('\n', sandbox.Log.Split('\n').TakeLast(40))}"));

    /// <summary>
    /// podman's events of a kind for a pod's containers since <paramref name="since"/>, oldest first: (container, time).
    /// conmon's cleanup processes write them a moment after the fact: waits (up to 10 s) for <paramref name="expected"/> of them.
    /// </summary>
    public static async Task<List<(string Container, DateTimeOffset At)>> EventsAsync(string @namespace, string pod, string kind, DateTimeOffset since, int expected = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var events = await ReadEventsAsync(@namespace, pod, kind, since);
            if (events.Count >= expected || DateTime.UtcNow > deadline)
            {
                return events;
            }

            await Task.Delay(250);
        }
    }

    private static async Task<List<(string Container, DateTimeOffset At)>> ReadEventsAsync(string @namespace, string pod, string kind, DateTimeOffset since)
    {
        var result = await Tools.PodmanAsync(
            "events", "--stream=false", "--format", "json", "--filter", $"event={kind}", "--filter", $"label=sandbox.sidepool.dev/pod={@namespace}/{pod}",
            "--since", since.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var events = new List<(string, DateTimeOffset)>();
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.TryGetProperty("Attributes", out var attributes) && attributes.TryGetProperty("sandbox.sidepool.dev/container", out var container))
            {
                events.Add((container.GetString()!, DateTimeOffset.Parse(root.GetProperty("Time").GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return events.OrderBy(e => e.Item2).ToList();
    }
}
