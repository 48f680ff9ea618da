using System.Security.Cryptography;
using System.Text;

namespace SidePool.PgBouncer.Admin;

/// <summary>
/// The client side of SCRAM-SHA-256 (RFC 5802 / RFC 7677) without channel binding, as PostgreSQL and
/// PgBouncer speak it. Passwords are used as UTF-8 without SASLprep normalisation (fine for ASCII passwords).
/// </summary>
internal sealed class ScramSha256Client
{
    public const string Mechanism = "SCRAM-SHA-256";

    private readonly string _password;
    private readonly string _clientFirstBare;
    private readonly string _clientNonce;
    private byte[]? _expectedServerSignature;

    public ScramSha256Client(string user, string password, string? clientNonce = null)
    {
        _password = password;
        _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        _clientFirstBare = $"n={EscapeName(user)},r={_clientNonce}";
    }

    /// <summary>The client-first-message (GS2 header <c>n,,</c>: no channel binding).</summary>
    public string ClientFirstMessage => "n,," + _clientFirstBare;

    /// <summary>Answers the server-first-message with the client-final-message carrying the proof.</summary>
    public string ClientFinalMessage(string serverFirstMessage)
    {
        var attributes = ParseAttributes(serverFirstMessage);
        if (!attributes.TryGetValue('r', out var nonce) || !attributes.TryGetValue('s', out var saltText) || !attributes.TryGetValue('i', out var iterationsText))
        {
            throw new PgBouncerAdminException("SCRAM: malformed server-first-message");
        }

        if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal) || nonce.Length == _clientNonce.Length)
        {
            throw new PgBouncerAdminException("SCRAM: server nonce does not extend the client nonce");
        }

        if (!int.TryParse(iterationsText, System.Globalization.CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            throw new PgBouncerAdminException("SCRAM: invalid iteration count");
        }

        var salt = Convert.FromBase64String(saltText);
        var saltedPassword = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(_password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(saltedPassword, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var clientFinalWithoutProof = $"c=biws,r={nonce}";
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{serverFirstMessage},{clientFinalWithoutProof}");
        var clientSignature = HMACSHA256.HashData(storedKey, authMessage);
        var proof = new byte[clientKey.Length];
        for (var i = 0; i < proof.Length; i++)
        {
            proof[i] = (byte)(clientKey[i] ^ clientSignature[i]);
        }

        var serverKey = HMACSHA256.HashData(saltedPassword, "Server Key"u8);
        _expectedServerSignature = HMACSHA256.HashData(serverKey, authMessage);
        return $"{clientFinalWithoutProof},p={Convert.ToBase64String(proof)}";
    }

    /// <summary>Checks the server-final-message: the server proves it knows the password too.</summary>
    public void VerifyServerFinalMessage(string serverFinalMessage)
    {
        var attributes = ParseAttributes(serverFinalMessage);
        if (attributes.TryGetValue('e', out var error))
        {
            throw new PgBouncerAdminException($"SCRAM: server reported {error}");
        }

        if (_expectedServerSignature is null || !attributes.TryGetValue('v', out var signature)
            || !CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(signature), _expectedServerSignature))
        {
            throw new PgBouncerAdminException("SCRAM: server signature does not match");
        }
    }

    private static string EscapeName(string name) =>
        name.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);

    private static Dictionary<char, string> ParseAttributes(string message)
    {
        var attributes = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length >= 2 && part[1] == '=')
            {
                attributes[part[0]] = part[2..];
            }
        }

        return attributes;
    }
}
