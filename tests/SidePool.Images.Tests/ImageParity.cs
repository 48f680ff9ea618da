namespace SidePool.Images.Tests;

/// <summary>
/// Compares an image's local Containerfile (FROM scratch, built by images/build.sh) with its upstream Dockerfile
/// (multi-stage on Microsoft and Debian bases): the same files at the same paths, built the same way (the
/// <c>dotnet publish</c> project and options), the same USER, ENTRYPOINT, EXPOSE and ENV, and, where the upstream
/// image installs PgBouncer, a PgBouncer of at least <see cref="MinimumPgBouncer"/>. Each difference is one message.
/// </summary>
internal static class ImageParity
{
    public static readonly Version MinimumPgBouncer = new(1, 23);

    /// <summary>Where a Debian/Ubuntu package puts the binary an image is for.</summary>
    public static readonly IReadOnlyDictionary<string, string> PackageBinaries = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pgbouncer"] = "/usr/sbin/pgbouncer",
        ["socat"] = "/usr/bin/socat",
    };

    /// <summary>PgBouncer in each distribution release's own archive (packages.debian.org, packages.ubuntu.com).</summary>
    public static readonly IReadOnlyDictionary<string, Version> PgBouncerOfRelease = new Dictionary<string, Version>(StringComparer.Ordinal)
    {
        ["debian:bullseye"] = new(1, 15, 0),
        ["debian:bookworm"] = new(1, 18, 0),
        ["debian:trixie"] = new(1, 24, 1),
        ["ubuntu:jammy"] = new(1, 16, 1),
        ["ubuntu:noble"] = new(1, 22, 0),
    };

    public static IReadOnlyList<string> Compare(BuildFile local, BuildFile upstream)
    {
        var problems = new List<string>();
        var final = upstream.Final;
        if (local.Final.Image != "scratch")
        {
            problems.Add($"the Containerfile builds FROM {local.Final.Image}, not FROM scratch");
        }

        // Files: local COPY <context path> <destination> (rootfs/ holds only libraries and /etc), upstream
        // COPY --from=<build stage> and the binaries of the packages it installs.
        var localFiles = local.Final.Copies.Where(c => c.Sources.Count == 1 && c.Sources[0] != "rootfs/")
            .ToDictionary(c => c.Destination, c => c.Sources[0], StringComparer.Ordinal);
        var upstreamFiles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (from, sources, destination) in final.Copies)
        {
            upstreamFiles[destination] = from is null ? string.Join(' ', sources) : $"{from}:{string.Join(' ', sources)}";
        }

        var packages = final.AptPackages;
        foreach (var (package, binary) in PackageBinaries)
        {
            if (packages.ContainsKey(package))
            {
                upstreamFiles[binary] = $"package {package}";
            }
        }

        foreach (var missing in localFiles.Keys.Except(upstreamFiles.Keys).Order())
        {
            problems.Add($"the Containerfile installs {missing} ({localFiles[missing]}), the Dockerfile does not");
        }

        foreach (var extra in upstreamFiles.Keys.Except(localFiles.Keys).Order())
        {
            problems.Add($"the Dockerfile installs {extra} ({upstreamFiles[extra]}), the Containerfile does not");
        }

        foreach (var (destination, source) in localFiles.Where(f => upstreamFiles.ContainsKey(f.Key)))
        {
            var upstreamSource = upstreamFiles[destination];
            if (source.StartsWith("publish/", StringComparison.Ordinal))
            {
                var binary = source["publish/".Length..];
                var build = upstream.Stages.FirstOrDefault(s => upstreamSource.StartsWith($"{s.Name}:", StringComparison.Ordinal));
                if (build is null || upstreamSource != $"{build.Name}:/out/{binary}")
                {
                    problems.Add($"{destination}: the Containerfile copies the published {binary}, the Dockerfile copies {upstreamSource} (expected --from=<build stage> /out/{binary})");
                    continue;
                }

                ComparePublish(destination, local.Publish, build, problems);
            }
            else if (source.StartsWith("host/", StringComparison.Ordinal) && !upstreamSource.StartsWith("package ", StringComparison.Ordinal))
            {
                problems.Add($"{destination}: the Containerfile copies this machine's {source["host/".Length..]}, the Dockerfile {upstreamSource} (expected its Debian package)");
            }
        }

        if (local.Final.User != final.User)
        {
            problems.Add($"USER: Containerfile {local.Final.User ?? "(none)"}, Dockerfile {final.User ?? "(none)"}");
        }

        if (final.User is null or "0" or "root" || final.User.StartsWith("0:", StringComparison.Ordinal) || final.User.StartsWith("root", StringComparison.Ordinal))
        {
            problems.Add($"USER {final.User ?? "(none)"}: the image must run as a non-root user");
        }

        if (!local.Final.Entrypoint.SequenceEqual(final.Entrypoint))
        {
            problems.Add($"ENTRYPOINT: Containerfile [{string.Join(", ", local.Final.Entrypoint)}], Dockerfile [{string.Join(", ", final.Entrypoint)}]");
        }

        if (!local.Final.ExposedPorts.SetEquals(final.ExposedPorts))
        {
            problems.Add($"EXPOSE: Containerfile {string.Join(' ', local.Final.ExposedPorts.Order())}, Dockerfile {string.Join(' ', final.ExposedPorts.Order())}");
        }

        if (!local.Final.Environment.OrderBy(e => e.Key).SequenceEqual(final.Environment.OrderBy(e => e.Key)))
        {
            problems.Add($"ENV: Containerfile {Show(local.Final.Environment)}, Dockerfile {Show(final.Environment)}");
        }

        if (packages.TryGetValue("pgbouncer", out var pinned))
        {
            CheckPgBouncer(final.Image, pinned, problems);
        }

        return problems;
    }

    /// <summary>The PgBouncer an upstream base installs: the pinned version, else the one of the base's release.</summary>
    internal static Version? PgBouncerVersion(string image, string? pinned)
    {
        if (pinned is not null)
        {
            var digits = new string([.. pinned.TakeWhile(c => char.IsDigit(c) || c == '.')]).Trim('.');
            return Version.TryParse(digits.Contains('.', StringComparison.Ordinal) ? digits : digits + ".0", out var version) ? version : null;
        }

        var release = image.Split('@')[0];
        foreach (var suffix in new[] { "-slim", "-backports" })
        {
            release = release.Replace(suffix, "", StringComparison.Ordinal);
        }

        return PgBouncerOfRelease.GetValueOrDefault(release);
    }

    private static void CheckPgBouncer(string image, string? pinned, List<string> problems)
    {
        var version = PgBouncerVersion(image, pinned);
        if (version is null)
        {
            problems.Add($"PgBouncer: cannot tell which version {image} installs{(pinned is null ? "" : $" (pinned '{pinned}')")}; pin pgbouncer=<version> or use a release of {string.Join(", ", PgBouncerOfRelease.Keys)}");
        }
        else if (version < MinimumPgBouncer)
        {
            problems.Add($"PgBouncer {version} from {image}{(pinned is null ? "" : $" (pinned '{pinned}')")} is older than {MinimumPgBouncer}");
        }
    }

    private static void ComparePublish(string destination, string? localPublish, BuildStage build, List<string> problems)
    {
        var upstreamPublish = build.Arguments("RUN")
            .SelectMany(r => r.Split(["&&", ";"], StringSplitOptions.TrimEntries))
            .FirstOrDefault(c => c.StartsWith("dotnet publish ", StringComparison.Ordinal));
        if (localPublish is null || upstreamPublish is null)
        {
            problems.Add($"{destination}: {(localPublish is null ? "the Containerfile has no '# publish: dotnet publish …' line" : $"stage {build.Name} runs no dotnet publish")}");
            return;
        }

        var expected = Publish.Parse(localPublish);
        var actual = Publish.Parse(upstreamPublish["dotnet publish ".Length..]);
        if (expected.Project.TrimEnd('/') != actual.Project.TrimEnd('/'))
        {
            problems.Add($"{destination}: the Containerfile publishes {expected.Project}, the Dockerfile {actual.Project}");
        }

        if (actual.Output != "/out")
        {
            problems.Add($"{destination}: the Dockerfile publishes to {actual.Output ?? "(no -o)"}, not /out");
        }

        if (!expected.Options.OrderBy(o => o.Key).SequenceEqual(actual.Options.OrderBy(o => o.Key)))
        {
            problems.Add($"{destination}: publish options differ: Containerfile {Show(expected.Options)}, Dockerfile {Show(actual.Options)}");
        }
    }

    private static string Show(IEnumerable<KeyValuePair<string, string>> pairs) =>
        "{" + string.Join(", ", pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")) + "}";

    /// <summary>A <c>dotnet publish</c> command line: the project, the output folder and the options that shape the binary.</summary>
    private sealed record Publish(string Project, string? Output, IReadOnlyDictionary<string, string> Options)
    {
        public static Publish Parse(string arguments)
        {
            var words = BuildFile.Words(arguments);
            string? project = null;
            string? output = null;
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < words.Count; i++)
            {
                var word = words[i];
                switch (word)
                {
                    case "-c" or "--configuration":
                        options["configuration"] = words[++i];
                        break;
                    case "-r" or "--runtime":
                        options["runtime"] = words[++i];
                        break;
                    case "-o" or "--output":
                        output = words[++i];
                        break;
                    case "--self-contained":
                        options["SelfContained"] = "true";
                        break;
                    default:
                        if (word.StartsWith("-p:", StringComparison.Ordinal) || word.StartsWith("/p:", StringComparison.Ordinal))
                        {
                            var property = word[3..].Split('=', 2);
                            options[property[0]] = property.Length == 2 ? property[1] : "";
                        }
                        else if (!word.StartsWith('-') && project is null)
                        {
                            project = word;
                        }
                        else
                        {
                            options[word] = "";
                        }

                        break;
                }
            }

            return new Publish(project ?? "(none)", output, options);
        }
    }
}
