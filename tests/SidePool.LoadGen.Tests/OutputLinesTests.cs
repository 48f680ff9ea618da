using System.Text.Json;
using Npgsql;
using SidePool.LoadGen;
using Xunit;

namespace SidePool.LoadGen.Tests;

public sealed class OutputLinesTests
{
    private const string Time = "2026-12-02T04:30:00.123Z";

    [Fact]
    public void AStatsLineIsExactlyThis() =>
        Assert.Equal(
            """{"kind":"stats","time":"2026-12-02T04:30:00.123Z","ok":1234,"failed":5,"connects":27}""",
            JsonLineWriter.Serialize(new StatsLine(Time, 1234, 5, 27), OutputJson.Default.StatsLine));

    [Fact]
    public void AFailureLineCarriesTheErrorTextAndTheSqlstateOrNull()
    {
        Assert.Equal(
            """{"kind":"failure","time":"2026-12-02T04:30:00.123Z","error":"terminating connection due to administrator command","sqlstate":"57P01","worker":3,"phase":"transaction"}""",
            JsonLineWriter.Serialize(new FailureLine(Time, "terminating connection due to administrator command", "57P01", 3, "transaction"), OutputJson.Default.FailureLine));
        Assert.Equal(
            """{"kind":"failure","time":"2026-12-02T04:30:00.123Z","error":"Failed to connect to 127.0.0.1:6432: Connection refused","sqlstate":null,"worker":1,"phase":"connect"}""",
            JsonLineWriter.Serialize(new FailureLine(Time, "Failed to connect to 127.0.0.1:6432: Connection refused", null, 1, "connect"), OutputJson.Default.FailureLine));
    }

    [Fact]
    public void TheStartAndFinalLinesAreExactlyThese()
    {
        Assert.Equal(
            """{"kind":"start","time":"2026-12-02T04:30:00.123Z","target":"postgresql://u@h:5432/d","run":"0a1b2c3d","workers":4,"pauseMs":20,"reconnectEvery":50}""",
            JsonLineWriter.Serialize(new StartLine(Time, "postgresql://u@h:5432/d", "0a1b2c3d", 4, 20, 50), OutputJson.Default.StartLine));
        Assert.Equal(
            """{"kind":"final","time":"2026-12-02T04:30:00.123Z","ok":10,"failed":0,"connects":1,"seconds":2.5}""",
            JsonLineWriter.Serialize(new FinalLine(Time, 10, 0, 1, 2.5), OutputJson.Default.FinalLine));
    }

    [Fact]
    public void AnErrorTextWithQuotesAndNewlinesStaysOneValidLine()
    {
        var output = new StringWriter();
        new JsonLineWriter(output).Write(new FailureLine(Time, "relation \"x\" does not exist\nLINE 1: ...", "42P01", 1, "transaction"), OutputJson.Default.FailureLine);

        var text = output.ToString();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var parsed = JsonDocument.Parse(text);
        Assert.Equal("relation \"x\" does not exist\nLINE 1: ...", parsed.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void TimestampsAreRfc3339InUtcWithMilliseconds()
    {
        var time = new DateTimeOffset(2026, 12, 2, 5, 30, 0, 7, TimeSpan.FromHours(1));
        Assert.Equal("2026-12-02T04:30:00.007Z", JsonLineWriter.Timestamp(time));
    }

    [Fact]
    public void AServerErrorIsDescribedByItsMessageAndSqlstateAnythingElseByItsMessageChain()
    {
        var server = new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01");
        Assert.Equal(("terminating connection due to administrator command", "57P01"), LoadRunner.Describe(new NpgsqlException("Exception while reading from stream", server), CancellationToken.None));

        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:6432", new System.Net.Sockets.SocketException(111));
        var (error, sqlState) = LoadRunner.Describe(refused, CancellationToken.None);
        Assert.Equal("Failed to connect to 127.0.0.1:6432: Connection refused", error);
        Assert.Null(sqlState);

        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        Assert.Equal(("cancelled by a second signal", null), LoadRunner.Describe(new OperationCanceledException(), aborted.Token));
    }
}
