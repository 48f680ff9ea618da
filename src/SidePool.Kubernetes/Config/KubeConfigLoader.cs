using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SidePool.Kubernetes.Auth;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SidePool.Kubernetes.Config;

/// <summary>
/// Reads kubeconfig files like kubectl: <c>KUBECONFIG</c> split on ':' (the first file to name a cluster, user, context or
/// current-context wins; missing entries of the list are skipped), else <c>~/.kube/config</c>. Relative paths in a file
/// resolve against that file's folder; <c>*-data</c> beats the path form.
/// </summary>
public static class KubeConfigLoader
{
    public static async Task<KubernetesConnectionSettings> LoadAsync(KubeConfigLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeConfigLoadOptions();
        var files = FindFiles(options);
        var merged = new MergedKubeConfig();
        foreach (var file in files)
        {
            merged.Add(file, Parse(file, await ReadAsync(file, cancellationToken)));
        }

        return Resolve(merged, files, options);
    }

    /// <summary>
    /// Why no kubeconfig file would be found (e.g. <c>KUBECONFIG is not set and '/home/me/.kube/config' does not
    /// exist</c>), or null when there is one to load. Errors inside a file are not looked at.
    /// </summary>
    public static string? DescribeMissing(KubeConfigLoadOptions? options = null)
    {
        var (_, problem) = Locate(options ?? new KubeConfigLoadOptions());
        return problem;
    }

    private static List<string> FindFiles(KubeConfigLoadOptions options)
    {
        var (files, problem) = Locate(options);
        return problem is null ? files : throw new KubernetesConfigException(problem + ".");
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

    /// <summary>Null when <paramref name="path"/> is a file, else why not (<c>does not exist</c>, <c>is a directory</c>).</summary>
    private static string? NotAFile(string what, string path) =>
        File.Exists(path) ? null
        : Directory.Exists(path) ? $"{what} '{path}' is not a file but a directory"
        : $"{what} '{path}' does not exist";

    /// <summary>Reads a kubeconfig file; an unreadable one is a <see cref="KubernetesConfigException"/> naming it.</summary>
    private static async Task<string> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KubernetesConfigException($"kubeconfig file '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    private static KubeConfigFile Parse(string file, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new KubernetesConfigException($"kubeconfig file '{file}' is not valid YAML (line {ex.Start.Line}).", ex);
        }

        var result = new KubeConfigFile(file);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return result;
        }

        result.CurrentContext = Scalar(root, "current-context");
        ReadNamed(root, "clusters", "cluster", file, result.Clusters);
        ReadNamed(root, "users", "user", file, result.Users);
        ReadNamed(root, "contexts", "context", file, result.Contexts);
        return result;
    }

    private static void ReadNamed(YamlMappingNode root, string listKey, string bodyKey, string file, List<KubeConfigEntry> into)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(listKey), out var node) || node is not YamlSequenceNode sequence)
        {
            return;
        }

        foreach (var item in sequence.Children.OfType<YamlMappingNode>())
        {
            var name = Scalar(item, "name");
            if (string.IsNullOrEmpty(name))
            {
                throw new KubernetesConfigException($"kubeconfig file '{file}': an entry of '{listKey}' has no name.");
            }

            var body = item.Children.TryGetValue(new YamlScalarNode(bodyKey), out var b) && b is YamlMappingNode m ? m : new YamlMappingNode();
            into.Add(new KubeConfigEntry(name, body, file));
        }
    }

    private static KubernetesConnectionSettings Resolve(MergedKubeConfig merged, IReadOnlyList<string> files, KubeConfigLoadOptions options)
    {
        var fileList = string.Join(", ", files.Select(f => $"'{f}'"));
        var contextName = options.Context ?? merged.CurrentContext;
        if (string.IsNullOrEmpty(contextName))
        {
            throw new KubernetesConfigException($"No current-context is set in kubeconfig {fileList} and no context was given.");
        }

        if (!merged.Contexts.TryGetValue(contextName, out var context))
        {
            throw new KubernetesConfigException($"Context '{contextName}' not found in kubeconfig {fileList}.");
        }

        var clusterName = Scalar(context.Body, "cluster");
        if (string.IsNullOrEmpty(clusterName))
        {
            throw new KubernetesConfigException($"Context '{contextName}' (in '{context.File}') names no cluster.");
        }

        if (!merged.Clusters.TryGetValue(clusterName, out var cluster))
        {
            throw new KubernetesConfigException($"Cluster '{clusterName}' of context '{contextName}' not found in kubeconfig {fileList}.");
        }

        var userName = Scalar(context.Body, "user");
        KubeConfigEntry? user = null;
        if (!string.IsNullOrEmpty(userName) && !merged.Users.TryGetValue(userName, out user))
        {
            throw new KubernetesConfigException($"User '{userName}' of context '{contextName}' not found in kubeconfig {fileList}.");
        }

        var server = Scalar(cluster.Body, "server");
        if (string.IsNullOrEmpty(server))
        {
            throw new KubernetesConfigException($"Cluster '{clusterName}' (in '{cluster.File}') has no 'server'.");
        }

        if (!Uri.TryCreate(server, UriKind.Absolute, out var serverUri))
        {
            throw new KubernetesConfigException($"Cluster '{clusterName}' (in '{cluster.File}'): 'server' is not an absolute URL.");
        }

        var insecure = Bool(cluster, "insecure-skip-tls-verify");
        var caData = Scalar(cluster.Body, "certificate-authority-data");
        var caPem = ReadPem(cluster, "certificate-authority-data", "certificate-authority", $"cluster '{clusterName}'");
        if (insecure && caPem is not null)
        {
            throw new KubernetesConfigException($"Cluster '{clusterName}' (in '{cluster.File}') sets both 'insecure-skip-tls-verify' and a certificate authority; choose one.");
        }

        X509Certificate2Collection? authorities = null;
        if (caPem is not null)
        {
            var caSource = string.IsNullOrEmpty(caData)
                ? $"'certificate-authority' file '{ResolvePath(cluster, Scalar(cluster.Body, "certificate-authority")!)}'"
                : "'certificate-authority-data'";
            authorities = new X509Certificate2Collection();
            try
            {
                authorities.ImportFromPem(caPem);
            }
            catch (CryptographicException ex)
            {
                throw new KubernetesConfigException($"Cluster '{clusterName}' (in '{cluster.File}'): the certificate authority ({caSource}) is not valid PEM.", ex);
            }

            if (authorities.Count == 0)
            {
                throw new KubernetesConfigException($"Cluster '{clusterName}' (in '{cluster.File}'): the certificate authority ({caSource}) holds no PEM certificate.");
            }
        }

        var tlsServerName = Scalar(cluster.Body, "tls-server-name");
        X509Certificate2? clientCertificate = null;
        IAuthenticationProvider? authentication = null;
        if (user is not null)
        {
            clientCertificate = ReadClientCertificate(user, userName!);
            authentication = ReadAuthentication(user, userName!, serverUri, caData, insecure, tlsServerName);
        }

        var ns = options.Namespace;
        if (string.IsNullOrEmpty(ns))
        {
            ns = Scalar(context.Body, "namespace");
        }

        return new KubernetesConnectionSettings
        {
            Server = serverUri,
            CertificateAuthorities = authorities,
            InsecureSkipTlsVerify = insecure,
            TlsServerName = string.IsNullOrEmpty(tlsServerName) ? null : tlsServerName,
            ClientCertificate = clientCertificate,
            Authentication = authentication,
            Namespace = string.IsNullOrEmpty(ns) ? "default" : ns,
            Source = $"context '{contextName}'",
        };
    }

    private static X509Certificate2? ReadClientCertificate(KubeConfigEntry user, string userName)
    {
        var certPem = ReadPem(user, "client-certificate-data", "client-certificate", $"user '{userName}'");
        var keyPem = ReadPem(user, "client-key-data", "client-key", $"user '{userName}'");
        if (certPem is null && keyPem is null)
        {
            return null;
        }

        if (certPem is null || keyPem is null)
        {
            var missing = certPem is null ? "client-certificate(-data)" : "client-key(-data)";
            throw new KubernetesConfigException($"User '{userName}' (in '{user.File}') has a client certificate or key but no '{missing}'.");
        }

        try
        {
            return X509Certificate2.CreateFromPem(certPem, keyPem);
        }
        catch (CryptographicException ex)
        {
            throw new KubernetesConfigException($"User '{userName}' (in '{user.File}'): the client certificate and key cannot be loaded.", ex);
        }
    }

    private static IAuthenticationProvider? ReadAuthentication(KubeConfigEntry user, string userName, Uri server, string? caData, bool insecure, string? tlsServerName)
    {
        if (user.Body.Children.ContainsKey(new YamlScalarNode("auth-provider")))
        {
            throw new KubernetesConfigException($"User '{userName}' (in '{user.File}') uses 'auth-provider', which is not supported; use an exec plugin.");
        }

        if (user.Body.Children.TryGetValue(new YamlScalarNode("exec"), out var execNode) && execNode is YamlMappingNode exec)
        {
            var command = Scalar(exec, "command");
            if (string.IsNullOrEmpty(command))
            {
                throw new KubernetesConfigException($"User '{userName}' (in '{user.File}'): 'exec' has no 'command'.");
            }

            var apiVersion = Scalar(exec, "apiVersion");
            if (string.IsNullOrEmpty(apiVersion))
            {
                throw new KubernetesConfigException($"User '{userName}' (in '{user.File}'): 'exec' has no 'apiVersion'.");
            }

            var args = exec.Children.TryGetValue(new YamlScalarNode("args"), out var a) && a is YamlSequenceNode argList
                ? argList.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? string.Empty).ToList()
                : [];
            var env = exec.Children.TryGetValue(new YamlScalarNode("env"), out var e) && e is YamlSequenceNode envList
                ? envList.Children.OfType<YamlMappingNode>()
                    .Select(m => new KeyValuePair<string, string>(Scalar(m, "name") ?? string.Empty, Scalar(m, "value") ?? string.Empty))
                    .Where(p => p.Key.Length > 0)
                    .ToList()
                : [];
            return new ExecCredentialProvider(new ExecCredentialSettings
            {
                Command = command,
                Args = args,
                Env = env,
                ApiVersion = apiVersion,
                InstallHint = Scalar(exec, "installHint"),
                ProvideClusterInfo = string.Equals(Scalar(exec, "provideClusterInfo"), "true", StringComparison.OrdinalIgnoreCase),
                BaseDirectory = Path.GetDirectoryName(user.File),
                ClusterServer = server,
                ClusterCertificateAuthorityData = caData,
                ClusterInsecureSkipTlsVerify = insecure,
                ClusterTlsServerName = tlsServerName,
            });
        }

        var token = Scalar(user.Body, "token");
        if (!string.IsNullOrEmpty(token))
        {
            return new StaticTokenProvider(token);
        }

        var tokenFile = Scalar(user.Body, "tokenFile");
        if (!string.IsNullOrEmpty(tokenFile))
        {
            var path = ResolvePath(user, tokenFile);
            if (!File.Exists(path))
            {
                throw new KubernetesConfigException($"User '{userName}' (in '{user.File}'): tokenFile '{path}' does not exist.");
            }

            return new TokenFileProvider(path);
        }

        var username = Scalar(user.Body, "username");
        var password = Scalar(user.Body, "password");
        if (!string.IsNullOrEmpty(username) || !string.IsNullOrEmpty(password))
        {
            return new BasicAuthProvider(username ?? string.Empty, password ?? string.Empty);
        }

        return null;
    }

    /// <summary>Reads PEM from <paramref name="dataKey"/> (base64) or else from the file <paramref name="pathKey"/> names.</summary>
    private static string? ReadPem(KubeConfigEntry entry, string dataKey, string pathKey, string what)
    {
        var data = Scalar(entry.Body, dataKey);
        if (!string.IsNullOrEmpty(data))
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(data));
            }
            catch (FormatException)
            {
                throw new KubernetesConfigException($"{Capitalize(what)} (in '{entry.File}'): '{dataKey}' is not valid base64.");
            }
        }

        var path = Scalar(entry.Body, pathKey);
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var full = ResolvePath(entry, path);
        if (NotAFile($"'{pathKey}' file", full) is { } problem)
        {
            throw new KubernetesConfigException($"{Capitalize(what)} (in '{entry.File}'): {problem}.");
        }

        try
        {
            return File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KubernetesConfigException($"{Capitalize(what)} (in '{entry.File}'): '{pathKey}' file '{full}' cannot be read: {ex.Message}", ex);
        }
    }

    private static string ResolvePath(KubeConfigEntry entry, string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(entry.File)!, path));

    private static bool Bool(KubeConfigEntry entry, string key) =>
        string.Equals(Scalar(entry.Body, key), "true", StringComparison.OrdinalIgnoreCase);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private sealed record KubeConfigEntry(string Name, YamlMappingNode Body, string File);

    private sealed class KubeConfigFile(string path)
    {
        public string Path { get; } = path;
        public string? CurrentContext { get; set; }
        public List<KubeConfigEntry> Clusters { get; } = [];
        public List<KubeConfigEntry> Users { get; } = [];
        public List<KubeConfigEntry> Contexts { get; } = [];
    }

    /// <summary>First file wins for every named entry and for current-context.</summary>
    private sealed class MergedKubeConfig
    {
        public string? CurrentContext { get; private set; }
        public Dictionary<string, KubeConfigEntry> Clusters { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, KubeConfigEntry> Users { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, KubeConfigEntry> Contexts { get; } = new(StringComparer.Ordinal);

        public void Add(string file, KubeConfigFile parsed)
        {
            if (string.IsNullOrEmpty(CurrentContext) && !string.IsNullOrEmpty(parsed.CurrentContext))
            {
                CurrentContext = parsed.CurrentContext;
            }

            foreach (var entry in parsed.Clusters)
            {
                Clusters.TryAdd(entry.Name, entry);
            }

            foreach (var entry in parsed.Users)
            {
                Users.TryAdd(entry.Name, entry);
            }

            foreach (var entry in parsed.Contexts)
            {
                Contexts.TryAdd(entry.Name, entry);
            }
        }
    }
}
