using System.Text.Json;

namespace SidePool.Images.Tests;

/// <summary>One instruction of a Containerfile/Dockerfile: its keyword (upper case) and its arguments, continuation lines joined.</summary>
internal sealed record Instruction(string Keyword, string Arguments);

/// <summary>A stage: <c>FROM image [AS name]</c> and what follows up to the next <c>FROM</c>.</summary>
internal sealed record BuildStage(string Image, string? Name, IReadOnlyList<Instruction> Instructions)
{
    public IEnumerable<string> Arguments(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary><c>COPY</c>/<c>ADD</c> instructions: the <c>--from</c> stage (or null), the sources and the destination.</summary>
    public IEnumerable<(string? From, IReadOnlyList<string> Sources, string Destination)> Copies =>
        Instructions.Where(i => i.Keyword is "COPY" or "ADD").Select(i =>
        {
            var words = BuildFile.Words(i.Arguments);
            var from = words.FirstOrDefault(w => w.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
            var paths = words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
            return (from, (IReadOnlyList<string>)paths[..^1], paths[^1]);
        });

    /// <summary>The packages of every <c>apt-get install</c>, with the version when pinned (<c>name=version</c>).</summary>
    public IReadOnlyDictionary<string, string?> AptPackages
    {
        get
        {
            var packages = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var command in Arguments("RUN").SelectMany(r => r.Split(["&&", ";", "||"], StringSplitOptions.TrimEntries)))
            {
                var words = BuildFile.Words(command);
                var install = words.FindIndex(w => w == "install");
                if (install < 1 || words[install - 1] is not ("apt-get" or "apt"))
                {
                    continue;
                }

                foreach (var word in words.Skip(install + 1).Where(w => !w.StartsWith('-')))
                {
                    var equals = word.IndexOf('=', StringComparison.Ordinal);
                    packages[equals < 0 ? word : word[..equals]] = equals < 0 ? null : word[(equals + 1)..];
                }
            }

            return packages;
        }
    }

    public string? User => Arguments("USER").LastOrDefault();

    /// <summary>The exec form of <c>ENTRYPOINT</c>; a shell-form entrypoint comes back as one <c>sh -c</c> string.</summary>
    public IReadOnlyList<string> Entrypoint
    {
        get
        {
            var text = Arguments("ENTRYPOINT").LastOrDefault();
            if (text is null)
            {
                return [];
            }

            if (!text.StartsWith('['))
            {
                return ["/bin/sh", "-c", text];
            }

            using var json = JsonDocument.Parse(text);
            return [.. json.RootElement.EnumerateArray().Select(e => e.GetString()!)];
        }
    }

    public IReadOnlySet<string> ExposedPorts =>
        Arguments("EXPOSE").SelectMany(BuildFile.Words).Select(p => p.EndsWith("/tcp", StringComparison.Ordinal) ? p[..^4] : p).ToHashSet(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var variables = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var arguments in Arguments("ENV"))
            {
                var words = BuildFile.Words(arguments);
                if (words.Count >= 1 && !words[0].Contains('=', StringComparison.Ordinal))
                {
                    variables[words[0]] = string.Join(' ', words.Skip(1)); // legacy "ENV KEY value"
                    continue;
                }

                foreach (var word in words)
                {
                    var equals = word.IndexOf('=', StringComparison.Ordinal);
                    variables[word[..equals]] = word[(equals + 1)..];
                }
            }

            return variables;
        }
    }
}

/// <summary>
/// A Containerfile or Dockerfile read into stages (enough of the syntax for SidePool's own files: continuation
/// lines, comments, <c>FROM … AS</c>, exec-form <c>ENTRYPOINT</c>), plus the <c>images/build.sh</c> directive
/// <c># publish: dotnet publish …</c> of a local Containerfile.
/// </summary>
internal sealed record BuildFile(IReadOnlyList<BuildStage> Stages, string? Publish)
{
    public const string PublishDirective = "# publish: dotnet publish ";

    public BuildStage Final => Stages[^1];

    public BuildStage? Stage(string name) => Stages.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public static BuildFile Parse(string text)
    {
        var stages = new List<BuildStage>();
        string? publish = null;
        var instructions = new List<Instruction>();
        (string Image, string? Name)? current = null;
        var logical = "";

        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith(PublishDirective, StringComparison.Ordinal))
            {
                publish = line[PublishDirective.Length..].Trim();
            }

            if (line.StartsWith('#') || (line.Length == 0 && logical.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                logical += line[..^1].TrimEnd() + " ";
                continue;
            }

            logical += line;
            var space = logical.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? logical : logical[..space]).ToUpperInvariant();
            var arguments = space < 0 ? "" : logical[(space + 1)..].Trim();
            logical = "";
            if (keyword.Length == 0)
            {
                continue;
            }

            if (keyword == "FROM")
            {
                if (current is { } open)
                {
                    stages.Add(new BuildStage(open.Image, open.Name, instructions));
                }

                var words = Words(arguments).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
                current = (words[0], words.Count >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null);
                instructions = [];
                continue;
            }

            if (current is null)
            {
                throw new FormatException($"{keyword} before the first FROM");
            }

            instructions.Add(new Instruction(keyword, arguments));
        }

        if (current is not { } last)
        {
            throw new FormatException("no FROM");
        }

        stages.Add(new BuildStage(last.Image, last.Name, instructions));
        return new BuildFile(stages, publish);
    }

    internal static List<string> Words(string text) => [.. text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)];
}
