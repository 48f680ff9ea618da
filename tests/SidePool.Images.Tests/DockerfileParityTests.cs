using SidePool.Testing;
using Xunit;

namespace SidePool.Images.Tests;

/// <summary>
/// images/&lt;name&gt;/Dockerfile (upstream bases, for users' own builds; no registry here to build it) and
/// images/&lt;name&gt;/Containerfile (FROM scratch, make images) describe the same image; a drift fails here, and the
/// self-tests below prove the check catches each kind of drift.
/// </summary>
public sealed class DockerfileParityTests
{
    public static TheoryData<string> Images => new(ImageNames.All);

    private static string Text(string image, string file) => File.ReadAllText(SourceTree.PathOf("images", image, file));

    private static IReadOnlyList<string> Problems(string containerfile, string dockerfile) =>
        ImageParity.Compare(BuildFile.Parse(containerfile), BuildFile.Parse(dockerfile));

    [Theory]
    [MemberData(nameof(Images))]
    public void TheDockerfileAndTheContainerfileDescribeTheSameImage(string image) =>
        Assert.Empty(Problems(Text(image, "Containerfile"), Text(image, "Dockerfile")));

    [Fact]
    public void EveryImageDirectoryHasBothFilesAndNothingElseIsAnImage()
    {
        var directories = Directory.GetDirectories(SourceTree.PathOf("images"))
            .Where(d => File.Exists(Path.Combine(d, "Containerfile")) || File.Exists(Path.Combine(d, "Dockerfile")))
            .Select(Path.GetFileName).Order().ToList();
        Assert.Equal(ImageNames.All.Order(), directories);
        Assert.All(ImageNames.All, image =>
        {
            Assert.True(File.Exists(SourceTree.PathOf("images", image, "Containerfile")), $"images/{image}/Containerfile");
            Assert.True(File.Exists(SourceTree.PathOf("images", image, "Dockerfile")), $"images/{image}/Dockerfile");
        });
    }

    [Fact]
    public void TheUpstreamSidecarGetsPgBouncer123OrNewer()
    {
        var final = BuildFile.Parse(Text("sidecar", "Dockerfile")).Final;
        var version = ImageParity.PgBouncerVersion(final.Image, final.AptPackages["pgbouncer"]);
        Assert.NotNull(version);
        Assert.True(version >= ImageParity.MinimumPgBouncer, $"{final.Image} installs PgBouncer {version}");
    }

    [Fact]
    public void EveryImageRunsAsTheNonrootUserWithoutAShellEntrypoint() =>
        Assert.All(ImageNames.All, image =>
        {
            var final = BuildFile.Parse(Text(image, "Containerfile")).Final;
            Assert.Equal("65532:65532", final.User);
            Assert.Single(final.Entrypoint);
            Assert.StartsWith("/usr/", final.Entrypoint[0], StringComparison.Ordinal);
        });

    /// <summary>A mutation of one file and what the check must then say.</summary>
    public static TheoryData<string, string, string, string, string> Drifts => new()
    {
        // image, file, text replaced, replacement, expected message part
        { "sidecar", "Dockerfile", "FROM debian:trixie-slim", "FROM debian:bookworm-slim", "PgBouncer 1.18.0 from debian:bookworm-slim is older than 1.23" },
        { "sidecar", "Dockerfile", "pgbouncer ca-certificates", "pgbouncer=1.22.0-1 ca-certificates", "PgBouncer 1.22.0 from debian:trixie-slim (pinned '1.22.0-1') is older than 1.23" },
        { "sidecar", "Dockerfile", "FROM debian:trixie-slim", "FROM alpine:3.22", "PgBouncer: cannot tell which version alpine:3.22 installs" },
        { "sidecar", "Dockerfile", "pgbouncer ca-certificates", "ca-certificates", "the Containerfile installs /usr/sbin/pgbouncer (host/pgbouncer), the Dockerfile does not" },
        { "sidecar", "Dockerfile", "/out/sidepool-agent /usr/local/bin/sidepool-agent", "/out/sidepool-agent /usr/bin/sidepool-agent", "the Dockerfile installs /usr/bin/sidepool-agent" },
        { "sidecar", "Dockerfile", "-r linux-x64 -p:PublishAot=true -o /out", "-r linux-x64 -o /out", "publish options differ" },
        { "sidecar", "Dockerfile", "EXPOSE 6432 9127", "EXPOSE 6432", "EXPOSE: Containerfile 6432 9127, Dockerfile 6432" },
        { "sidecar", "Dockerfile", "USER 65532:65532", "USER 65532", "USER: Containerfile 65532:65532, Dockerfile 65532" },
        { "sidecar", "Dockerfile", "USER 65532:65532", "USER root", "must run as a non-root user" },
        { "sidecar", "Containerfile", "COPY host/pgbouncer /usr/sbin/pgbouncer", "COPY host/pgbouncer /usr/bin/pgbouncer", "the Containerfile installs /usr/bin/pgbouncer" },
        { "sidecar", "Containerfile", "ENTRYPOINT [\"/usr/local/bin/sidepool-agent\"]", "ENTRYPOINT [\"/usr/local/bin/sidepool-agent\", \"--readiness\", \"backend\"]", "ENTRYPOINT: Containerfile" },
        { "sidecar", "Containerfile", "FROM scratch", "FROM localhost/debian-essential:bookworm", "not FROM scratch" },
        { "operator", "Dockerfile", "ENV PATH=/usr/local/bin:/usr/bin DOTNET_EnableDiagnostics=0", "ENV PATH=/usr/local/bin:/usr/bin", "ENV: Containerfile {DOTNET_EnableDiagnostics=0, PATH=/usr/local/bin:/usr/bin}, Dockerfile {PATH=/usr/local/bin:/usr/bin}" },
        { "operator", "Dockerfile", "--self-contained -p:PublishSingleFile=true", "--self-contained", "publish options differ" },
        { "operator", "Dockerfile", "COPY --from=build /out/sidepool-operator", "COPY --from=build /out/sidepool-operator.dll", "expected --from=<build stage> /out/sidepool-operator" },
        { "loadgen", "Dockerfile", "dotnet publish tools/SidePool.LoadGen", "dotnet publish src/SidePool.Agent", "the Containerfile publishes tools/SidePool.LoadGen, the Dockerfile src/SidePool.Agent" },
        { "loadgen", "Containerfile", "# publish: dotnet publish tools/SidePool.LoadGen -c Release", "# publish: dotnet publish tools/SidePool.LoadGen -c Debug", "publish options differ: Containerfile {PublishAot=true, configuration=Debug, runtime=linux-x64}, Dockerfile {PublishAot=true, configuration=Release, runtime=linux-x64}" },
        { "forwarder", "Dockerfile", "--no-install-recommends socat", "--no-install-recommends netcat-openbsd", "the Containerfile installs /usr/bin/socat (host/socat), the Dockerfile does not" },
        { "forwarder", "Dockerfile", "ENTRYPOINT [\"/usr/bin/socat\"]", "ENTRYPOINT socat", "ENTRYPOINT: Containerfile [/usr/bin/socat], Dockerfile [/bin/sh, -c, socat]" },
    };

    [Theory]
    [MemberData(nameof(Drifts))]
    public void TheCheckFailsWhenOneFileDrifts(string image, string file, string original, string replacement, string expected)
    {
        var text = Text(image, file);
        Assert.Contains(original, text, StringComparison.Ordinal); // the mutation applies to the file as it is
        var mutated = text.Replace(original, replacement, StringComparison.Ordinal);
        var problems = file == "Dockerfile" ? Problems(Text(image, "Containerfile"), mutated) : Problems(mutated, Text(image, "Dockerfile"));

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void TheParserJoinsContinuationLinesAndReadsStagesPackagesAndTheEntrypoint()
    {
        var file = BuildFile.Parse("""
            # syntax=docker/dockerfile:1
            # publish: dotnet publish src/X -c Release
            FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
            RUN dotnet publish src/X -c Release -o /out
            FROM debian:trixie-slim
            RUN apt-get update \
             && apt-get install -y --no-install-recommends pgbouncer=1.24.1-1 \
                socat \
             && rm -rf /var/lib/apt/lists/*
            ENV A=1 B=two
            ENV LEGACY some value
            EXPOSE 6432/tcp 9127
            ENTRYPOINT ["/usr/local/bin/x", "--flag"]
            """);

        Assert.Equal("src/X -c Release", file.Publish);
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0", "debian:trixie-slim"], file.Stages.Select(s => s.Image));
        Assert.Equal("build", file.Stages[0].Name);
        Assert.Equal(new Dictionary<string, string?> { ["pgbouncer"] = "1.24.1-1", ["socat"] = null }, file.Final.AptPackages);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "two", ["LEGACY"] = "some value" }, file.Final.Environment);
        Assert.Equal(["6432", "9127"], file.Final.ExposedPorts.Order());
        Assert.Equal(["/usr/local/bin/x", "--flag"], file.Final.Entrypoint);
        Assert.Equal(new Version(1, 24, 1), ImageParity.PgBouncerVersion("debian:trixie-slim", "1.24.1-1"));
        Assert.Equal(new Version(1, 24, 1), ImageParity.PgBouncerVersion("debian:trixie-slim", null));
    }
}
