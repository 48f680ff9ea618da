using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;

namespace SidePool.Cli;

/// <summary>
/// <c>render -f pool.yaml [--secret secret.yaml] [--show-secrets] [-o DIR]</c>: what the operator would publish for the
/// pool, through the same code (<see cref="PoolVersionBuilder"/>), so the version printed is the one the cluster gets
/// for the same spec, Secrets and operator settings. The files written are exactly the version Secret's.
/// </summary>
public static partial class RenderCommand
{
    private const string Mask = "********";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Option<string>("--filename", "-f") { Description = "ConnectionPool manifest (YAML or JSON).", Required = true };
        var secrets = new Option<string[]>("--secret") { Description = "Secret manifests with the pool's credentials (and CA); repeatable.", AllowMultipleArgumentsPerToken = true };
        var showSecrets = new Option<bool>("--show-secrets") { Description = "Print passwords instead of masking them." };
        var output = new Option<string?>("--output-dir", "-o") { Description = "Write the version Secret's files (unmasked, mode 0600) into DIR, exactly as the sidecar gets them; run them with `sidepool-agent --config-dir DIR` (see README)." };
        var hashKey = new Option<string?>("--hash-key") { Description = "The pool's hash key, hex (at least 32 characters). Default: a random one (the revision then differs per run)." };
        var sidecarMode = new Option<string>("--sidecar-mode") { Description = "native or classic (part of the version).", DefaultValueFactory = _ => "native" };
        var defaultImage = new Option<string>("--default-image") { Description = "The operator's --default-image (part of the version when the pool names no image).", DefaultValueFactory = _ => InjectionOptions.DefaultSidecarImage };
        sidecarMode.AcceptOnlyFromAmong("native", "classic");

        var command = new Command("render", "Print the files a sidecar would get for a pool, with its version and config revision.")
        {
            file, secrets, showSecrets, output, hashKey, sidecarMode, defaultImage,
        };
        command.SetAction(parsed =>
        {
            Run(
                new Request(parsed.GetValue(file)!, parsed.GetValue(secrets) ?? [], parsed.GetValue(showSecrets), parsed.GetValue(output), parsed.GetValue(hashKey), parsed.GetValue(sidecarMode)!, parsed.GetValue(defaultImage)!),
                stdout,
                stderr);
            return 0;
        });
        return command;
    }

    public sealed record Request(string PoolFile, IReadOnlyList<string> SecretFiles, bool ShowSecrets, string? OutputDirectory, string? HashKey, string SidecarMode, string DefaultImage = InjectionOptions.DefaultSidecarImage);

    public static void Run(Request request, TextWriter stdout, TextWriter stderr)
    {
        var pool = ReadPool(request.PoolFile);
        var secretDocuments = request.SecretFiles.SelectMany(f => YamlManifests.ReadFile(f).Select(d => (d, f))).ToList();
        var credentials = SecretManifests.ReadCredentials(pool.Spec!, secretDocuments);
        var secrets = request.HashKey is null ? PoolKey.Generate() : new PoolKey(ParseHashKey(request.HashKey));
        var clientPassword = SecretManifests.ReadClientPassword(pool.Metadata.Name!, secretDocuments);
        var settings = new InjectionOptions { SidecarMode = request.SidecarMode, DefaultImage = request.DefaultImage };

        RenderedPool rendered;
        try
        {
            var client = new ClientCredentials(credentials.Username, clientPassword ?? ClientCredentials.GeneratePassword());
            rendered = PoolVersionBuilder.Build(pool.Metadata.Name!, pool.Spec!, credentials, client, secrets, settings, request.SidecarMode);
        }
        catch (InvalidManifestException e) when (e.File.StartsWith("Secret ", StringComparison.Ordinal))
        {
            throw new UserError($"{string.Join(", ", request.SecretFiles)}: {e.Message}");
        }

        if (request.HashKey is null)
        {
            stderr.WriteLine("note: no --hash-key given: a random key was used, so the revision and admin password differ on every run");
        }

        if (clientPassword is null)
        {
            stderr.WriteLine($"note: no Secret {VersionContract.Secrets.Client(pool.Metadata.Name!)} given: a new client password was generated, so the version is the one a new pool would get with it (pass the pool's client Secret with --secret for the cluster's)");
        }

        var summary = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"# ConnectionPool {pool.Metadata.NamespaceProperty ?? "default"}/{pool.Metadata.Name}\n")
            .Append(CultureInfo.InvariantCulture, $"# version:  {rendered.ShortVersion}  ({rendered.Version})\n")
            .Append(CultureInfo.InvariantCulture, $"# revision: {rendered.ShortRevision}  ({rendered.ConfigRevision})\n")
            .Append(CultureInfo.InvariantCulture, $"# image:    {rendered.Image}\n");
        if (request.OutputDirectory is not null)
        {
            var directory = Path.GetFullPath(request.OutputDirectory);
            Write(directory, rendered);
            stdout.Write(summary);
            stdout.WriteLine($"# wrote {string.Join(", ", rendered.Files.Keys)} to {directory}");
            stdout.WriteLine($"# run:     sidepool-agent --config-dir {directory} --runtime-dir <private dir> --socket-dir <dir> (outside a pod)");
            return;
        }

        stdout.Write(summary);
        foreach (var (name, content) in rendered.Files)
        {
            stdout.WriteLine($"# ---- {name} ----");
            stdout.Write(request.ShowSecrets ? content : Masked(name, content));
            if (!content.EndsWith('\n'))
            {
                stdout.WriteLine();
            }
        }
    }

    private static ConnectionPool ReadPool(string path)
    {
        var documents = YamlManifests.ReadFile(path);
        var pools = documents.Where(d => d["kind"]?.ToString() == Naming.Kind).ToList();
        return pools.Count switch
        {
            0 => throw new UserError($"{path}: no {Naming.Kind} document found"),
            > 1 => throw new UserError($"{path}: {pools.Count} {Naming.Kind} documents: render one at a time"),
            _ => ConnectionPoolReader.Read(pools[0], path),
        };
    }

    private static byte[] ParseHashKey(string hex)
    {
        try
        {
            var key = Convert.FromHexString(hex);
            return key.Length >= 16 ? key : throw new UserError("--hash-key: must be at least 32 hex characters");
        }
        catch (FormatException)
        {
            throw new UserError("--hash-key: must be hex");
        }
    }

    /// <summary>Passwords masked: userlist entries, the server password in pgbouncer.ini, and the app files (all secret).</summary>
    private static string Masked(string name, string content) => name switch
    {
        VersionContract.Files.UserList => MaskUserList(content),
        VersionContract.Files.Ini => ServerPassword().Replace(content, "password='" + Mask + "'"),
        VersionContract.Files.ClientPassword or VersionContract.Files.DatabaseUrl or VersionContract.Files.DirectUrl => Mask,
        _ => content,
    };

    [System.Text.RegularExpressions.GeneratedRegex("password='(?:[^']|'')*'")]
    private static partial System.Text.RegularExpressions.Regex ServerPassword();

    private static string MaskUserList(string content) =>
        string.Join("\n", content.Split('\n').Select(line =>
        {
            // "user" "password" → "user" "********" (a user name never contains an unescaped quote pair)
            var end = line.IndexOf("\" \"", StringComparison.Ordinal);
            return end < 0 ? line : line[..(end + 3)] + Mask + "\"";
        }));

    private static void Write(string directory, RenderedPool rendered)
    {
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            foreach (var (name, content) in rendered.Files)
            {
                var path = Path.Combine(directory, name);
                using var stream = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.Create,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                stream.Write(Encoding.UTF8.GetBytes(content));
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"{directory}: cannot write the files ({e.GetType().Name.Replace("Exception", "", StringComparison.Ordinal)})");
        }
    }
}
