using System.CommandLine;
using Microsoft.Extensions.Logging;
using SidePool.Sandbox;
using SidePool.Tools;

var logger = new StderrLogger(LogLevel.Information);
var stateDir = new Option<string>("--state-dir") { Description = "The sandbox's directory: kubeconfig, pod volumes; every podman object is labelled with it.", Required = true };
var containersConf = new Option<string?>("--containers-conf") { Description = "podman's containers.conf (default: CONTAINERS_CONF, else images/containers.conf of this checkout)." };

var apiPort = new Option<int>("--api-port") { Description = "The API server's port on 127.0.0.1 (default: a free one).", DefaultValueFactory = _ => 0 };
var postgresSocketDir = new Option<string?>("--postgres-socket-dir") { Description = "The host PostgreSQL's unix socket directory: every pod gets a forwarder to it on 127.0.0.1:<postgres-port>." };
var postgresPort = new Option<int>("--postgres-port") { Description = "The host PostgreSQL's port (names its socket file).", DefaultValueFactory = _ => 5432 };
var services = new Option<string[]>("--service") { Description = "NAMESPACE/NAME=127.0.0.1:PORT: where a Service named by a webhook is served (repeatable).", AllowMultipleArgumentsPerToken = false };
var nodeName = new Option<string>("--node-name") { Description = "The node's name.", DefaultValueFactory = _ => "sandbox-node" };
var crashBackoff = new Option<double>("--crash-backoff") { Description = "Seconds before the first restart of a crashed container (Kubernetes: 10).", DefaultValueFactory = _ => 10 };
var rbac = new Option<bool>("--rbac") { Description = "Authorize requests with RBAC (the kubeconfig's user is a cluster admin; pods' service accounts get what Roles grant them)." };
var podSubnet = new Option<string>("--pod-subnet") { Description = "The pods' addresses: 127.N.0.0/16 (sandboxes running at the same time need different ones).", DefaultValueFactory = _ => "127.1.0.0/16" };
var crashBackoffMax = new Option<double>("--crash-backoff-max") { Description = "The longest restart back-off in seconds (Kubernetes: 300).", DefaultValueFactory = _ => 300 };

var up = new Command("up", "Run the sandbox cluster until SIGTERM/SIGINT: API server over HTTPS, controllers, a podman kubelet. Prints 'ready kubeconfig=… server=… node=…' when ready.")
{
    stateDir, apiPort, postgresSocketDir, postgresPort, services, nodeName, crashBackoff, crashBackoffMax, containersConf, rbac, podSubnet,
};
up.SetAction(async (parsed, _) =>
{
    try
    {
        if (parsed.GetValue(postgresSocketDir) is { } socketDirectory && !Directory.Exists(socketDirectory))
        {
            throw new ArgumentException($"--postgres-socket-dir {socketDirectory}: no such directory");
        }

        var options = new UpOptions(
            Path.GetFullPath(parsed.GetValue(stateDir)!),
            parsed.GetValue(apiPort),
            parsed.GetValue(postgresSocketDir) is { } dir ? Path.GetFullPath(dir) : null,
            parsed.GetValue(postgresPort),
            ServiceMap.Parse(parsed.GetValue(services) ?? []),
            parsed.GetValue(nodeName)!,
            TimeSpan.FromSeconds(parsed.GetValue(crashBackoff)),
            TimeSpan.FromSeconds(parsed.GetValue(crashBackoffMax)),
            ContainersConf.Locate(parsed.GetValue(containersConf)),
            parsed.GetValue(rbac),
            SidePool.Sandbox.Kubelet.PodAddressPool.ParseSubnet(parsed.GetValue(podSubnet)!));
        return await SandboxUp.RunAsync(options, Console.Out, logger);
    }
    catch (Exception error) when (error is ArgumentException or FileNotFoundException)
    {
        Console.Error.WriteLine($"sidepool-sandbox: {error.Message}");
        return 2;
    }
});

var down = new Command("down", "Remove every podman pod and container a sandbox with this state directory left.") { stateDir, containersConf };
down.SetAction(async (parsed, _) =>
    await SandboxDown.RunAsync(Path.GetFullPath(parsed.GetValue(stateDir)!), ContainersConf.Locate(parsed.GetValue(containersConf)), logger));

var root = new RootCommand("sidepool-sandbox: a single-node sandbox Kubernetes cluster on podman.")
{
    up, down,
};
// The sandbox handles SIGTERM/SIGINT itself (graceful pod termination can take a grace period): no forced exit.
var parsed = root.Parse(args);
return UsageErrors.Report(parsed, "sidepool-sandbox") ?? await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
