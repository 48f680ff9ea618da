using System.Text.Json;
using SidePool.Testing;

namespace SidePool.LoadGen.Tests;

/// <summary>One JSON line of the load generator, parsed.</summary>
internal sealed record OutputLine(string Kind, DateTimeOffset Time, JsonElement Json)
{
    public long Ok => Json.GetProperty("ok").GetInt64();

    public long Failed => Json.GetProperty("failed").GetInt64();

    public long Connects => Json.GetProperty("connects").GetInt64();

    public string Error => Json.GetProperty("error").GetString()!;

    public string? SqlState => Json.GetProperty("sqlstate").GetString();

    public string Phase => Json.GetProperty("phase").GetString()!;

    /// <summary>Parses a line; throws when it is not one JSON object with a kind and an RFC 3339 UTC time.</summary>
    public static OutputLine Parse(string line)
    {
        var json = JsonDocument.Parse(line).RootElement.Clone();
        var time = json.GetProperty("time").GetString()!;
        if (!time.EndsWith('Z') || !DateTimeOffset.TryParse(time, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed))
        {
            throw new FormatException($"time is not RFC 3339 UTC: {line}");
        }

        return new OutputLine(json.GetProperty("kind").GetString()!, parsed, json);
    }
}

/// <summary>
/// The built <c>sidepool-loadgen</c> run as a process: SIDEPOOL_LOADGEN_BINARY (e.g. the Native AOT build), else
/// the tool project's own build output for the tests' configuration.
/// </summary>
internal sealed class LoadGenProcess : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private LoadGenProcess(ManagedProcess process) => _process = process;

    public static string Binary { get; } = FindBinary();

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> RawLines => _process.Lines;

    /// <summary>Every output line, parsed (a line that is not a valid JSON line fails the test).</summary>
    public IReadOnlyList<OutputLine> Lines => [.. _process.Lines.Select(OutputLine.Parse)];

    public IReadOnlyList<OutputLine> Failures => [.. Lines.Where(l => l.Kind == "failure")];

    public static LoadGenProcess Start(string databaseUrl, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["DATABASE_URL"] = databaseUrl };
        return new LoadGenProcess(ManagedProcess.Start(Binary, [], variables, asServiceUser: false));
    }

    /// <summary>Waits until a stats line satisfies <paramref name="predicate"/>; returns it.</summary>
    public async Task<OutputLine> WaitForStatsAsync(Func<OutputLine, bool> predicate, TimeSpan timeout)
    {
        var line = await _process.WaitForLineAsync(l => OutputLine.Parse(l) is { Kind: "stats" } stats && predicate(stats), timeout);
        return OutputLine.Parse(line);
    }

    public Task<string> WaitForLineAsync(Func<OutputLine, bool> predicate, TimeSpan timeout) =>
        _process.WaitForLineAsync(l => predicate(OutputLine.Parse(l)), timeout);

    /// <summary>SIGTERM, then waits for the exit; fails with the output if it does not exit in time.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        _process.Signal(PosixSignalNumber.Term);
        if (!await _process.WaitForExitAsync(timeout))
        {
            throw new TimeoutException($"sidepool-loadgen did not exit within {timeout} of SIGTERM:\n{_process.Output}");
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string FindBinary()
    {
        if (Environment.GetEnvironmentVariable("SIDEPOOL_LOADGEN_BINARY") is { Length: > 0 } overridden)
        {
            return overridden;
        }

        // tests/<project>/bin/<Configuration>/<tfm>/ → tools/SidePool.LoadGen/bin/<Configuration>/<tfm>/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var path = SourceTree.PathOf("tools", "SidePool.LoadGen", "bin", output.Parent!.Name, output.Name, "sidepool-loadgen");
        return File.Exists(path) ? path : throw new FileNotFoundException($"the load generator is not built: {path} (set SIDEPOOL_LOADGEN_BINARY to use another build)");
    }
}
