using System.Globalization;
using System.Security.Cryptography;
using SidePool.Demo.Cluster;

namespace SidePool.ClusterE2E;

/// <summary>
/// PostgreSQL in the cluster for the scenarios' pools: a Deployment of <c>postgres:15</c> (one replica, an emptyDir)
/// and a Service in its own namespace. Pools reach it at <c>postgres.&lt;namespace&gt;.svc:5432</c> with SCRAM (the
/// image's default for TCP); the runner runs SQL as the superuser with <c>kubectl exec … psql</c> over the pod's
/// socket, so no port is forwarded and no password of the superuser leaves the pod.
/// </summary>
internal sealed class InClusterPostgres(RealCluster cluster) : IAppDatabase
{
    public const string Namespace = "sidepool-e2e-db";
    public const string Name = "postgres";

    public string Host => $"{Name}.{Namespace}.svc";

    public int Port => 5432;

    /// <summary>Creates the namespace, the Deployment and the Service, and waits until PostgreSQL answers.</summary>
    public async Task DeployAsync(string image, string workDirectory, CancellationToken cancellationToken)
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        await cluster.KubectlAsync("create", "namespace", Namespace);
        await cluster.KubectlAsync("-n", Namespace, "create", "secret", "generic", Name, $"--from-literal=password={password}");
        await cluster.KubectlAsync("apply", "-f", WriteManifest(image, workDirectory));
        await cluster.KubectlAsync("-n", Namespace, "rollout", "status", $"deployment/{Name}", "--timeout=300s");
        await SandboxCluster.WaitAsync(async () => await CountAsync("SELECT 1", cancellationToken) == 1, TimeSpan.FromSeconds(60), "PostgreSQL answering in the cluster");
    }

    public Task DeleteAsync() => cluster.KubectlAsync("delete", "namespace", Namespace, "--ignore-not-found", "--timeout=180s");

    public Task CreateRoleAsync(string name, string password, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}'", cancellationToken);

    public Task CreateDatabaseAsync(string name, string owner, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"CREATE DATABASE \"{name}\" OWNER \"{owner}\"", cancellationToken);

    public Task ExecuteAsync(string sql, CancellationToken cancellationToken = default) => PsqlAsync(sql, cancellationToken);

    public async Task<long> CountAsync(string sql, CancellationToken cancellationToken = default)
    {
        var output = (await PsqlAsync(sql, cancellationToken)).Trim();
        return long.TryParse(output, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new IOException($"psql in the cluster: not a number: {output}");
    }

    /// <summary>The statement through psql in the pod; a failure names the pod's error, never the statement (it may hold a password).</summary>
    private async Task<string> PsqlAsync(string sql, CancellationToken cancellationToken)
    {
        var result = await Tool.RunAsync(
            "kubectl",
            ["--kubeconfig", cluster.Kubeconfig, "-n", Namespace, "exec", $"deployment/{Name}", "--", "psql", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-tAc", sql],
            cancellationToken: cancellationToken);
        return result.Ok("psql in the cluster's PostgreSQL");
    }

    private static string WriteManifest(string image, string directory)
    {
        var path = Path.Combine(directory, "postgres.yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{{Name}}}
              namespace: {{{Namespace}}}
            spec:
              replicas: 1
              selector:
                matchLabels: {app: {{{Name}}}}
              template:
                metadata:
                  labels: {app: {{{Name}}}}
                spec:
                  containers:
                    - name: postgres
                      image: {{{image}}}
                      env:
                        - name: POSTGRES_PASSWORD
                          valueFrom: {secretKeyRef: {name: {{{Name}}}, key: password}}
                      ports: [{containerPort: 5432, name: postgres}]
                      readinessProbe:
                        exec: {command: [pg_isready, -U, postgres, -h, 127.0.0.1]}
                        periodSeconds: 2
                      volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
                  volumes: [{name: data, emptyDir: {}}]
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: {{{Name}}}
              namespace: {{{Namespace}}}
            spec:
              selector: {app: {{{Name}}}}
              ports: [{port: 5432, targetPort: postgres, name: postgres}]
            """);
        return path;
    }
}
