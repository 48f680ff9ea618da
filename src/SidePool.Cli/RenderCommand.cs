using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Rendering;

namespace SidePool.Cli;

/// <summary><c>render -f pool.yaml [--secret secret.yaml] [--show-secrets] [-o DIR]</c>.</summary>
public static class RenderCommand
{
    private const string Mask = "********";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Option<string>("--filename", "-f") { Description = "ConnectionPool manifest (YAML or JSON).", Required = true };
        var secrets = new Option<string[]>("--secret") { Description = "Secret manifests with the pool's credentials (and CA); repeatable.", AllowMultipleArgumentsPerToken = true };
        var showSecrets = new Option<bool>("--show-secrets") { Description = "Print passwords instead of masking them." };
        var output = new Option<string?>("--output-dir", "-o") { Description = "Write the files (unmasked, mode 0600) into DIR, paths pointing inside DIR, ready for `pgbouncer DIR/pgbouncer.ini`." };
        var hashKey = new Option<string?>("--hash-key") { Description = "The pool's hash key, hex (at least 32 characters). Default: a random one (the revision then differs per run)." };
        var sidecarMode = new Option<string>("--sidecar-mode") { Description = "native or classic (part of the version).", DefaultValueFactory = _ => "native" };
        sidecarMode.AcceptOnlyFromAmong("native", "classic");

        var command = new Command("render", "Print the files a sidecar would get for a pool, with its version and config revision.")
        {
            file, secrets, showSecrets, output, hashKey, sidecarMode,
        };
        command.SetAction(parsed =>
        {
            Run(
                new Request(parsed.GetValue(file)!, parsed.GetValue(secrets) ?? [], parsed.GetValue(showSecrets), parsed.GetValue(output), parsed.GetValue(hashKey), parsed.GetValue(sidecarMode)!),
                stdout,
                stderr);
            return 0;
        });
        return command;
    }

    public sealed record Request(string PoolFile, IReadOnlyList<string> SecretFiles, bool ShowSecrets, string? OutputDirectory, string? HashKey, string SidecarMode);

    public static void Run(Request request, TextWriter stdout, TextWriter stderr)
    {
        var pool = ReadPool(request.PoolFile);
        var secretDocuments = request.SecretFiles.SelectMany(f => YamlManifests.ReadFile(f).Select(d => (d, f))).ToList();
        var credentials = SecretManifests.ReadCredentials(pool.Spec!, secretDocuments);
        var secrets = request.HashKey is null ? PoolSecrets.Generate() : new PoolSecrets(ParseHashKey(request.HashKey));
        var layout = new RenderLayout { SidecarMode = request.SidecarMode };
        string? directory = null;
        if (request.OutputDirectory is not null)
        {
            directory = Path.GetFullPath(request.OutputDirectory);
            layout = layout with { ConfigDirectory = directory, SocketDirectory = directory };
        }

        RenderedPool rendered;
        try
        {
            rendered = PoolRenderer.Render(pool, credentials, secrets, layout);
        }
        catch (InvalidManifestException e) when (e.File.StartsWith("Secret ", StringComparison.Ordinal))
        {
            throw new UserError($"{string.Join(", ", request.SecretFiles)}: {e.Message}");
        }

        if (request.HashKey is null)
        {
            stderr.WriteLine("note: no --hash-key given: a random key was used, so the revision and admin password differ on every run");
        }

        var summary = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"# ConnectionPool {pool.Metadata.Namespace ?? "default"}/{pool.Metadata.Name}\n")
            .Append(CultureInfo.InvariantCulture, $"# version:  {rendered.ShortVersion}  ({rendered.Version})\n")
            .Append(CultureInfo.InvariantCulture, $"# revision: {rendered.ShortRevision}  ({rendered.ConfigRevision})\n")
            .Append(CultureInfo.InvariantCulture, $"# image:    {rendered.Image}\n");
        if (directory is not null)
        {
            Write(directory, rendered);
            stdout.Write(summary);
            stdout.WriteLine($"# wrote {string.Join(", ", rendered.Files.Keys)} to {directory}");
            stdout.WriteLine($"# run:     pgbouncer {Path.Combine(directory, RenderedPool.IniFile)}");
            return;
        }

        stdout.Write(summary);
        foreach (var (name, content) in rendered.Files)
        {
            stdout.WriteLine($"# ---- {name} ----");
            stdout.Write(name == RenderedPool.UserListFile && !request.ShowSecrets ? MaskUserList(content) : content);
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
