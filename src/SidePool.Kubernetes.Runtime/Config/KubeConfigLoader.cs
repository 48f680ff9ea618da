using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace SidePool.Kubernetes.Config;

/// <summary>
/// Finds the kubeconfig as kubectl does (an explicit file, else every existing file of the KUBECONFIG list merged with
/// the first file winning, else ~/.kube/config) and lets KubernetesClient build the configuration from it. What
/// KubernetesClient does not do: a KUBECONFIG list that names a missing file is used for the files that exist, and
/// no kubeconfig at all is one error naming every file looked at.
/// </summary>
public static class KubeConfigLoader
{
    public static async Task<KubernetesClientConfiguration> LoadAsync(KubeConfigLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeConfigLoadOptions();
        var (files, problem) = Locate(options);
        if (problem is not null)
        {
            throw new KubernetesConfigException(problem + ".");
        }

        var fileList = string.Join(", ", files.Select(f => $"'{f}'"));
        try
        {
            var merged = new K8SConfiguration { Clusters = [], Users = [], Contexts = [] };
            foreach (var file in files)
            {
                var config = await ReadAsync(file);
                ResolveRelativePaths(config, Path.GetDirectoryName(file)!);
                await CheckAuthorityAsync(config, file, options.Context, cancellationToken);
                Merge(merged, config);
            }

            AllowAnonymousUser(merged, options.Context);
            var configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, options.Context);
            if (!string.IsNullOrEmpty(options.Namespace))
            {
                configuration.Namespace = options.Namespace;
            }

            return configuration;
        }
        catch (Exception ex) when (ex is KubeConfigException or YamlDotNet.Core.YamlException or IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            throw new KubernetesConfigException($"kubeconfig {fileList}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Why no kubeconfig file would be found (e.g. <c>KUBECONFIG is not set and '/home/me/.kube/config' does not
    /// exist</c>), or null when there is one to load. Errors inside a file are not looked at.
    /// </summary>
    public static string? DescribeMissing(KubeConfigLoadOptions? options = null) => Locate(options ?? new KubeConfigLoadOptions()).Problem;

    /// <summary>One file as KubernetesClient reads it; YAML that does not parse is said with the file and line.</summary>
    private static async Task<K8SConfiguration> ReadAsync(string file)
    {
        try
        {
            return await KubernetesClientConfiguration.LoadKubeConfigAsync(new FileInfo(file));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new KubernetesConfigException($"kubeconfig file '{file}' is not valid YAML (line {ex.Start.Line}).", ex);
        }
    }

    /// <summary>
    /// What KubernetesClient reports poorly, said with the file, cluster and key: a certificate-authority file of the
    /// context's cluster that is missing or holds no PEM certificate (paths are already resolved against the file).
    /// </summary>
    private static async Task CheckAuthorityAsync(K8SConfiguration config, string file, string? context, CancellationToken cancellationToken)
    {
        var contextName = context ?? config.CurrentContext;
        var clusterName = config.Contexts?.FirstOrDefault(c => c.Name == contextName)?.ContextDetails?.Cluster;
        var cluster = config.Clusters?.FirstOrDefault(c => c.Name == clusterName)?.ClusterEndpoint;
        if (cluster is null || !string.IsNullOrEmpty(cluster.CertificateAuthorityData) || string.IsNullOrEmpty(cluster.CertificateAuthority))
        {
            return;
        }

        var ca = cluster.CertificateAuthority;
        var where = $"Cluster '{clusterName}' (in '{file}'): 'certificate-authority' file '{ca}'";
        if (!File.Exists(ca))
        {
            throw new KubernetesConfigException($"{where} does not exist.");
        }

        var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(await File.ReadAllTextAsync(ca, cancellationToken));
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new KubernetesConfigException($"{where} is not valid PEM.", ex);
        }

        if (certificates.Count == 0)
        {
            throw new KubernetesConfigException($"{where} holds no PEM certificate.");
        }
    }

    private static (List<string> Files, string? Problem) Locate(KubeConfigLoadOptions options)
    {
        if (!string.IsNullOrEmpty(options.ExplicitPath))
        {
            var full = Path.GetFullPath(options.ExplicitPath);
            return (File.Exists(full) ? [full] : [], NotAFile("kubeconfig file", full));
        }

        var variable = options.KubeConfigVariable ?? Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrEmpty(variable))
        {
            var listed = variable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(Path.GetFullPath)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            var existing = listed.Where(File.Exists).ToList();
            return existing.Count > 0
                ? (existing, null)
                : ([], $"KUBECONFIG={variable} names no existing file ({string.Join(", ", listed.Select(f => $"'{f}'"))})");
        }

        var home = options.HomeDirectory ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var fallback = Path.Combine(home, ".kube", "config");
        return File.Exists(fallback) ? ([fallback], null) : ([], $"KUBECONFIG is not set and {NotAFile("kubeconfig file", fallback)}");
    }

    /// <summary>Paths in a kubeconfig are relative to the file that names them (kubectl), also once files are merged.</summary>
    private static void ResolveRelativePaths(K8SConfiguration config, string folder)
    {
        string? Resolve(string? path) => string.IsNullOrEmpty(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(folder, path));
        foreach (var cluster in config.Clusters ?? [])
        {
            if (cluster.ClusterEndpoint is { } endpoint)
            {
                endpoint.CertificateAuthority = Resolve(endpoint.CertificateAuthority);
            }
        }

        foreach (var user in config.Users ?? [])
        {
            if (user.UserCredentials is { } credentials)
            {
                credentials.ClientCertificate = Resolve(credentials.ClientCertificate);
                credentials.ClientKey = Resolve(credentials.ClientKey);
                if (credentials.ExternalExecution is { Command: { } command } exec && command.Contains('/', StringComparison.Ordinal))
                {
                    exec.Command = Resolve(command);
                }
            }
        }
    }

    /// <summary>
    /// A user entry with no credentials at all is anonymous access for kubectl; KubernetesClient refuses it ("does not
    /// have appropriate auth credentials"), so the context is built without a user instead.
    /// </summary>
    private static void AllowAnonymousUser(K8SConfiguration config, string? context)
    {
        var active = config.Contexts?.FirstOrDefault(c => c.Name == (context ?? config.CurrentContext));
        if (active?.ContextDetails?.User is not { Length: > 0 } userName)
        {
            return;
        }

        var credentials = config.Users?.FirstOrDefault(u => u.Name == userName)?.UserCredentials;
        if (credentials is null || (credentials.Token, credentials.ClientCertificateData, credentials.ClientCertificate, credentials.UserName,
            credentials.AuthProvider, credentials.ExternalExecution) is (null or "", null or "", null or "", null or "", null, null))
        {
            active.ContextDetails.User = null;
        }
    }

    /// <summary>kubectl's merge: the first file to set current-context wins, and so does the first entry of each name.</summary>
    private static void Merge(K8SConfiguration into, K8SConfiguration from)
    {
        into.CurrentContext ??= string.IsNullOrEmpty(from.CurrentContext) ? null : from.CurrentContext;
        into.Clusters = Union(into.Clusters, from.Clusters, c => c.Name);
        into.Users = Union(into.Users, from.Users, u => u.Name);
        into.Contexts = Union(into.Contexts, from.Contexts, c => c.Name);
    }

    private static List<T> Union<T>(IEnumerable<T>? first, IEnumerable<T>? second, Func<T, string> name)
    {
        var result = (first ?? []).ToList();
        var names = result.Select(name).ToHashSet(StringComparer.Ordinal);
        result.AddRange((second ?? []).Where(e => names.Add(name(e))));
        return result;
    }

    private static string? NotAFile(string what, string path) =>
        File.Exists(path) ? null
        : Directory.Exists(path) ? $"{what} '{path}' is not a file but a directory"
        : $"{what} '{path}' does not exist";
}
