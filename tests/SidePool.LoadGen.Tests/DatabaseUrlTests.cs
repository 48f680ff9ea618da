using Npgsql;
using SidePool.LoadGen;
using Xunit;

namespace SidePool.LoadGen.Tests;

public sealed class DatabaseUrlTests
{
    [Fact]
    public void TheOperatorsUrlGivesEveryPart()
    {
        var url = DatabaseUrl.Parse("postgresql://orders_app:s3cret@127.0.0.1:6432/orders");

        Assert.Equal(("127.0.0.1", 6432, "orders_app", "s3cret", "orders"), (url.Host, url.Port, url.Username, url.Password, url.Database));
        Assert.Empty(url.Parameters);
        Assert.Equal("postgresql://orders_app@127.0.0.1:6432/orders", url.Redacted);
    }

    [Fact]
    public void EveryPartIsPercentDecoded()
    {
        var url = DatabaseUrl.Parse("postgresql://app%40shop:p%40ss%3Aw%2Frd%25%3B%27%20x@db.example:5433/my%20db?application_name=load%20test");

        Assert.Equal("app@shop", url.Username);
        Assert.Equal("p@ss:w/rd%;' x", url.Password);
        Assert.Equal("my db", url.Database);
        Assert.Equal("db.example", url.Host);
        Assert.Equal("load test", url.Parameters["application_name"]);
    }

    [Fact]
    public void DecodingIsUtf8AndLeavesAPlusAlone() =>
        Assert.Equal("pä+ß✓", DatabaseUrl.Parse("postgresql://u:p%C3%A4+%C3%9F%E2%9C%93@h/d").Password);

    [Fact]
    public void TheUserInformationEndsAtTheLastAt() =>
        Assert.Equal(("u", "p@ss", "h"), Split(DatabaseUrl.Parse("postgresql://u:p@ss@h/d")));

    [Theory]
    [InlineData("postgresql://u@h/d", 5432)]
    [InlineData("postgresql://u@h:/d", 5432)]
    [InlineData("postgres://u@h:6543/d", 6543)]
    [InlineData("POSTGRESQL://u@h:1/d", 1)]
    public void ThePortDefaultsTo5432(string text, int port) => Assert.Equal(port, DatabaseUrl.Parse(text).Port);

    [Fact]
    public void TheDatabaseDefaultsToTheUserAndThePasswordToNone()
    {
        var url = DatabaseUrl.Parse("postgresql://orders_app@127.0.0.1");
        Assert.Equal("orders_app", url.Database);
        Assert.Null(url.Password);
        Assert.Equal("", DatabaseUrl.Parse("postgresql://u:@h/d").Password);
    }

    [Fact]
    public void AnIpv6HostIsInBrackets()
    {
        var url = DatabaseUrl.Parse("postgresql://u@[::1]:6432/d");
        Assert.Equal(("::1", 6432), (url.Host, url.Port));
        Assert.Equal(5432, DatabaseUrl.Parse("postgresql://u@[fe80::1]/d").Port);
        Assert.Equal("postgresql://u@[::1]:6432/d", url.Redacted);
    }

    [Fact]
    public void AUnixSocketDirectoryComesAsAnEncodedHostOrAsTheHostParameter()
    {
        Assert.Equal("/var/run/sidepool/orders-db", DatabaseUrl.Parse("postgresql://u@%2Fvar%2Frun%2Fsidepool%2Forders-db:6432/d").Host);
        var url = DatabaseUrl.Parse("postgresql:///orders?host=/var/run/sidepool/orders-db&port=6432&user=orders_app");
        Assert.Equal(("/var/run/sidepool/orders-db", 6432, "orders_app", "orders"), (url.Host, url.Port, url.Username, url.Database));
    }

    [Fact]
    public void QueryParametersOverrideTheUrlsParts()
    {
        var url = DatabaseUrl.Parse("postgresql://a:b@h:1/d?user=u2&password=p%262&dbname=d2&port=7");
        Assert.Equal(("u2", "p&2", "d2", 7), (url.Username, url.Password, url.Database, url.Port));
    }

    [Fact]
    public void TheConnectionStringLogsInEveryTimeAndSuitsTransactionPooling()
    {
        var url = DatabaseUrl.Parse("postgresql://app:p%3Bw%27d%22@127.0.0.1:6432/orders");
        var builder = new NpgsqlConnectionStringBuilder(url.ToConnectionString("sidepool-loadgen"));

        Assert.Equal("127.0.0.1", builder.Host);
        Assert.Equal(6432, builder.Port);
        Assert.Equal("app", builder.Username);
        Assert.Equal("p;w'd\"", builder.Password);
        Assert.Equal("orders", builder.Database);
        Assert.False(builder.Pooling);
        Assert.True(builder.NoResetOnClose);
        Assert.Equal(0, builder.MaxAutoPrepare);
        Assert.Equal(5, builder.Timeout);
        Assert.Equal(10, builder.CommandTimeout);
        Assert.Equal("sidepool-loadgen", builder.ApplicationName);
    }

    [Fact]
    public void TlsAndTimeoutParametersReachTheConnectionString()
    {
        var url = DatabaseUrl.Parse("postgresql://u:p@db:5432/d?sslmode=verify-full&sslrootcert=%2Fetc%2Fsidepool%2Forders-ca%2Fca.crt&connect_timeout=3&application_name=mine");
        var builder = new NpgsqlConnectionStringBuilder(url.ToConnectionString("sidepool-loadgen"));

        Assert.Equal(SslMode.VerifyFull, builder.SslMode);
        Assert.Equal("/etc/sidepool/orders-ca/ca.crt", builder.RootCertificate);
        Assert.Equal(3, builder.Timeout);
        Assert.Equal("mine", builder.ApplicationName);
    }

    [Theory]
    [InlineData("mysql://u@h/d", "got scheme 'mysql'")]
    [InlineData("u@h/d", "expected a postgresql:// or postgres:// URL")]
    [InlineData("postgresql://h/d", "names no user")]
    [InlineData("postgresql://u@/d", "names no host")]
    [InlineData("postgresql://u@h:0/d", "port: expected a number from 1 to 65535, got '0'")]
    [InlineData("postgresql://u@h:65536/d", "got '65536'")]
    [InlineData("postgresql://u@h:x/d", "got 'x'")]
    [InlineData("postgresql://u@h1,h2/d", "several hosts")]
    [InlineData("postgresql://u@[::1/d", "closing ']'")]
    [InlineData("postgresql://u@h/d?sslmode=on", "sslmode: expected one of disable, allow, prefer, require, verify-ca, verify-full, got 'on'")]
    [InlineData("postgresql://u@h/d?connect_timeout=0", "connect_timeout")]
    [InlineData("postgresql://u@h/d?target_session_attrs=any", "unsupported parameter 'target_session_attrs' (supported: host, port")]
    [InlineData("postgresql://u@h/d?novalue", "expected key=value")]
    public void AProblemIsNamed(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => DatabaseUrl.Parse(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenEscapeNamesThePartButNeverShowsThePassword()
    {
        var e = Assert.Throws<FormatException>(() => DatabaseUrl.Parse("postgresql://u:hunter2%zz@h/d"));
        Assert.Equal("password: a '%' is not followed by two hex digits", e.Message);
        Assert.Equal("postgresql://u@h:5432/d", DatabaseUrl.Parse("postgresql://u:hunter2@h/d").Redacted);
    }

    private static (string, string?, string) Split(DatabaseUrl url) => (url.Username, url.Password, url.Host);
}
