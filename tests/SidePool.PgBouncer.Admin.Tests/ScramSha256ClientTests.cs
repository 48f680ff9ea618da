using Xunit;

namespace SidePool.PgBouncer.Admin.Tests;

public sealed class ScramSha256ClientTests
{
    // RFC 7677 section 3
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

    [Fact]
    public void Produces_the_rfc_7677_messages()
    {
        var client = new ScramSha256Client("user", "pencil", "rOprNGfwEbeRWgbNEkqO");

        Assert.Equal("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", client.ClientFirstMessage);
        Assert.Equal(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            client.ClientFinalMessage(ServerFirst));
        client.VerifyServerFinalMessage("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    }

    [Fact]
    public void Rejects_a_wrong_server_signature()
    {
        var client = new ScramSha256Client("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        client.ClientFinalMessage(ServerFirst);

        Assert.Throws<PgBouncerAdminException>(() => client.VerifyServerFinalMessage("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    }

    [Fact]
    public void Rejects_a_server_nonce_that_does_not_extend_the_client_nonce()
    {
        var client = new ScramSha256Client("user", "pencil", "clientnonce");

        Assert.Throws<PgBouncerAdminException>(() => client.ClientFinalMessage("r=othernonce123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
    }

    [Fact]
    public void Md5_response_matches_postgres_formula()
    {
        // printf 'secretalice' | md5sum; then md5 of that hex followed by the salt bytes 01 02 03 04
        Assert.Equal("md598a0412b9c31436fc53776e863350083", Md5Password.Response("alice", "secret", [1, 2, 3, 4]));
    }
}
