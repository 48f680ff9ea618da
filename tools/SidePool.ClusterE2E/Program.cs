using SidePool.ClusterE2E;
using SidePool.Tools;

// The end-to-end scenarios on a real cluster (docs/e2e-cluster.md): `k3s` (make e2e-k3s) starts one with
// Testcontainers.K3s where a Docker engine exists; `cluster` (make e2e-cluster) uses any kubeconfig. Not part of
// make test. A missing prerequisite (no Docker engine, no usable kubeconfig) is one line and exit code 2.
var root = new System.CommandLine.RootCommand("SidePool's end-to-end scenarios on a real cluster: the chart installed with helm, PostgreSQL in the cluster, a pool and an app under load through a reload, a rotation, a new version and scaling, then helm uninstall. Exit code 0 when every scenario passed, 1 when one failed, 2 when a prerequisite is missing.");

var outputDirectory = new System.CommandLine.Option<string?>("--output-dir") { Description = "Where the kubeconfig (k3s), the image archives, the summary and the plot go (default out/e2e-k3s or out/e2e-cluster)." };
var imagePrefix = new System.CommandLine.Option<string>("--image-prefix") { Description = "SidePool's images are <prefix>/{operator,sidecar,loadgen}:<tag>.", DefaultValueFactory = _ => Images.DefaultPrefix };
var imageTag = new System.CommandLine.Option<string>("--image-tag") { Description = "The images' tag (SIDEPOOL_IMAGE_TAG, as images/build.sh).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SIDEPOOL_IMAGE_TAG") is { Length: > 0 } tag ? tag : Images.DefaultTag };
var postgresImage = new System.CommandLine.Option<string>("--postgres-image") { Description = "The PostgreSQL image deployed in the cluster for the pools.", DefaultValueFactory = _ => "postgres:15" };
var timeout = new System.CommandLine.Option<int>("--timeout") { Description = "Seconds helm and the operator's start may take.", DefaultValueFactory = _ => 300 };

var k3sImage = new System.CommandLine.Option<string>("--k3s-image") { Description = "The k3s image.", DefaultValueFactory = _ => K3sRun.DefaultImage };
var buildImages = new System.CommandLine.Option<bool>("--build-images") { Description = "Run images/build.sh for the images first (unchanged ones are not rebuilt)." };
var saveWith = new System.CommandLine.Option<string>("--save-with") { Description = "What exports the images to load into k3s: podman (images/build.sh's storage) or docker.", DefaultValueFactory = _ => "podman" };
saveWith.AcceptOnlyFromAmong("podman", "docker");
var k3s = new System.CommandLine.Command("k3s", "Start k3s with Testcontainers.K3s (needs a Docker engine), load the images, then run the scenarios as `cluster` does.")
{
    outputDirectory, imagePrefix, imageTag, postgresImage, timeout, k3sImage, buildImages, saveWith,
};

var kubeconfig = new System.CommandLine.Option<string>("--kubeconfig") { Description = "The cluster's kubeconfig (default: KUBECONFIG, else ~/.kube/config). Use a throwaway cluster: the chart's CRD stays.", DefaultValueFactory = _ => DefaultKubeconfig() };
var cluster = new System.CommandLine.Command("cluster", "Run the scenarios against the cluster of a kubeconfig, with the images already available to its nodes.")
{
    outputDirectory, imagePrefix, imageTag, postgresImage, timeout, kubeconfig,
};
root.Subcommands.Add(k3s);
root.Subcommands.Add(cluster);

k3s.SetAction(async (parsed, cancellationToken) =>
{
    // First, before anything is written, built or started.
    if (DockerEngine.Unavailable() is { } why)
    {
        Console.Error.WriteLine($"e2e-k3s: no Docker engine ({why}): make e2e-k3s needs Docker; use make e2e-cluster KUBECONFIG=<file> with any cluster");
        return 2;
    }

    var options = Options(parsed, "out/e2e-k3s");
    return await Run("e2e-k3s", () => new K3sRun(options, new K3sOptions(parsed.GetValue(k3sImage)!, parsed.GetValue(buildImages), parsed.GetValue(saveWith)!), Console.Out).RunAsync(cancellationToken));
});

cluster.SetAction(async (parsed, cancellationToken) =>
{
    var options = Options(parsed, "out/e2e-cluster");
    return await Run("e2e-cluster", async () =>
    {
        using var connected = await RealCluster.ConnectAsync(parsed.GetValue(kubeconfig)!, cancellationToken);
        Directory.CreateDirectory(options.OutputDirectory);
        return await new ClusterRun(options, Console.Out).RunAsync(connected, cancellationToken);
    });
});

var parsedArgs = root.Parse(args);
return UsageErrors.Report(parsedArgs, "sidepool-cluster-e2e") ?? await parsedArgs.InvokeAsync();

ClusterRunOptions Options(System.CommandLine.ParseResult parsed, string defaultOutput) => new(
    Path.GetFullPath(parsed.GetValue(outputDirectory) ?? defaultOutput),
    new Images(parsed.GetValue(imagePrefix)!, parsed.GetValue(imageTag)!),
    parsed.GetValue(postgresImage)!,
    TimeSpan.FromSeconds(parsed.GetValue(timeout)));

static async Task<int> Run(string name, Func<Task<int>> run)
{
    try
    {
        return await run();
    }
    catch (UsageException e)
    {
        Console.Error.WriteLine($"{name}: {e.Message}");
        return 2;
    }
    catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException or HttpRequestException or SidePool.Kubernetes.Errors.KubernetesApiException)
    {
        Console.Error.WriteLine($"{name}: {e.Message}");
        return 1;
    }
}

static string DefaultKubeconfig() =>
    Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } fromEnvironment
        ? fromEnvironment
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
