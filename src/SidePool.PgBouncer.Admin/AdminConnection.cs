using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SidePool.PgBouncer.Admin;

/// <summary>
/// One session on PgBouncer's admin console, speaking the simple query protocol (the console refuses the
/// extended protocol). Not thread-safe: one command at a time. Admin sessions count as PgBouncer clients:
/// dispose the connection before asking PgBouncer to wait for its clients.
/// </summary>
public sealed class AdminConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly BufferedStream _stream;
    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);
    private bool _broken;

    private AdminConnection(Socket socket)
    {
        _socket = socket;
        _stream = new BufferedStream(new NetworkStream(socket, ownsSocket: false), 16 * 1024);
    }

    /// <summary>ParameterStatus values reported by the server (e.g. <c>server_version</c>).</summary>
    public IReadOnlyDictionary<string, string> Parameters => _parameters;

    /// <summary>True once the server closed the session or a protocol error made it unusable.</summary>
    public bool IsBroken => _broken;

    /// <summary>
    /// Connects, authenticates (trust, cleartext, MD5 or SCRAM-SHA-256) and waits for ReadyForQuery; when PgBouncer
    /// refuses the login and the endpoint has an <see cref="AdminEndpoint.AlternatePassword"/>, tries that once.
    /// </summary>
    public static async Task<AdminConnection> OpenAsync(AdminEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        try
        {
            return await OpenOnceAsync(endpoint, cancellationToken);
        }
        catch (PgBouncerAdminException e) when (e.SqlState is not null && endpoint.AlternatePassword is { } alternate && alternate != endpoint.Password)
        {
            return await OpenOnceAsync(endpoint with { Password = alternate, AlternatePassword = null }, cancellationToken);
        }
    }

    private static async Task<AdminConnection> OpenOnceAsync(AdminEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(endpoint.ConnectTimeout);
        Socket socket;
        EndPoint target;
        if (endpoint.SocketDirectory is not null)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            target = new UnixDomainSocketEndPoint(endpoint.SocketPath);
        }
        else
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            target = new System.Net.DnsEndPoint(endpoint.Host, endpoint.Port);
        }

        AdminConnection? connection = null;
        try
        {
            await socket.ConnectAsync(target, timeout.Token);
            connection = new AdminConnection(socket);
            await connection.StartupAsync(endpoint, timeout.Token);
            return connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync(connection, socket);
            throw new PgBouncerAdminException($"admin console {endpoint}: no answer within {endpoint.ConnectTimeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            await DisposeAsync(connection, socket);
            throw new PgBouncerAdminException($"admin console {endpoint}: {e.Message}", e);
        }
        catch
        {
            await DisposeAsync(connection, socket);
            throw;
        }
    }

    private static async ValueTask DisposeAsync(AdminConnection? connection, Socket socket)
    {
        if (connection is null)
        {
            socket.Dispose();
        }
        else
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>Runs one simple query and reads its result up to ReadyForQuery; an ErrorResponse throws.</summary>
    public async Task<AdminQueryResult> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_broken && !_socket.Connected, this);
        await WriteAsync(FrontendMessages.Query(sql), cancellationToken);
        var columns = new List<string>();
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new List<AdminRow>();
        var notices = new List<AdminNotice>();
        var tag = "";
        PgBouncerAdminException? error = null;
        while (true)
        {
            var message = await ReadMessageAsync(cancellationToken);
            switch (message.Type)
            {
                case 'T':
                    (columns, ordinals) = ParseRowDescription(message.Body);
                    break;
                case 'D':
                    rows.Add(new AdminRow(ordinals, ParseDataRow(message.Body)));
                    break;
                case 'C':
                    tag = new MessageReader(message.Body).ReadCString();
                    break;
                case 'I':
                    break;
                case 'E':
                    error ??= ParseError(message.Body);
                    break;
                case 'N':
                    notices.Add(ParseNotice(message.Body));
                    break;
                case 'S':
                    StoreParameter(message.Body);
                    break;
                case 'Z':
                    return error is null ? new AdminQueryResult(columns, rows, tag, notices) : throw error;
                default:
                    // unknown asynchronous messages are ignored
                    break;
            }
        }
    }

    /// <summary>
    /// Sends a command after which PgBouncer may close the session without answering (SHUTDOWN): returns
    /// once it answered or closed the connection.
    /// </summary>
    public async Task<AdminQueryResult?> ExecuteFinalAsync(string sql, CancellationToken cancellationToken = default)
    {
        try
        {
            return await QueryAsync(sql, cancellationToken);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or SocketException || (e is PgBouncerAdminException && _broken))
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_broken && _socket.Connected)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await WriteAsync(FrontendMessages.Terminate(), timeout.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        try
        {
            await _stream.DisposeAsync(); // flushes whatever a failed write left in the buffer
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    private async Task StartupAsync(AdminEndpoint endpoint, CancellationToken cancellationToken)
    {
        await WriteAsync(FrontendMessages.Startup(endpoint.User, endpoint.Database, endpoint.ApplicationName), cancellationToken);
        ScramSha256Client? scram = null;
        while (true)
        {
            var message = await ReadMessageAsync(cancellationToken);
            switch (message.Type)
            {
                case 'R':
                    scram = await AuthenticateStepAsync(endpoint, message.Body, scram, cancellationToken);
                    break;
                case 'E':
                    throw ParseError(message.Body);
                case 'S':
                    StoreParameter(message.Body);
                    break;
                case 'Z':
                    return;
                default:
                    // BackendKeyData, NoticeResponse: nothing to do
                    break;
            }
        }
    }

    private async Task<ScramSha256Client?> AuthenticateStepAsync(AdminEndpoint endpoint, byte[] body, ScramSha256Client? scram, CancellationToken cancellationToken)
    {
        var reader = new MessageReader(body);
        var code = reader.ReadInt32();
        switch (code)
        {
            case 0: // AuthenticationOk
                return scram;
            case 3: // cleartext
                await WriteAsync(FrontendMessages.Password(RequirePassword(endpoint)), cancellationToken);
                return scram;
            case 5: // MD5
                var salt = reader.ReadBytes(4).ToArray();
                await WriteAsync(FrontendMessages.Password(Md5Password.Response(endpoint.User, RequirePassword(endpoint), salt)), cancellationToken);
                return scram;
            case 10: // SASL
                var mechanisms = new List<string>();
                while (!reader.AtEnd)
                {
                    var mechanism = reader.ReadCString();
                    if (mechanism.Length == 0)
                    {
                        break;
                    }

                    mechanisms.Add(mechanism);
                }

                if (!mechanisms.Contains(ScramSha256Client.Mechanism))
                {
                    throw new PgBouncerAdminException($"unsupported SASL mechanisms: {string.Join(", ", mechanisms)}");
                }

                var client = new ScramSha256Client("", RequirePassword(endpoint));
                await WriteAsync(FrontendMessages.SaslInitialResponse(ScramSha256Client.Mechanism, client.ClientFirstMessage), cancellationToken);
                return client;
            case 11: // SASLContinue
                var serverFirst = Encoding.UTF8.GetString(reader.Rest());
                var final = (scram ?? throw new PgBouncerAdminException("protocol error: SASLContinue without SASL")).ClientFinalMessage(serverFirst);
                await WriteAsync(FrontendMessages.SaslResponse(final), cancellationToken);
                return scram;
            case 12: // SASLFinal
                (scram ?? throw new PgBouncerAdminException("protocol error: SASLFinal without SASL")).VerifyServerFinalMessage(Encoding.UTF8.GetString(reader.Rest()));
                return scram;
            default:
                throw new PgBouncerAdminException($"unsupported authentication request {code}");
        }
    }

    private static string RequirePassword(AdminEndpoint endpoint) =>
        endpoint.Password ?? throw new PgBouncerAdminException($"admin console {endpoint} asks for a password and none is configured");

    private async Task WriteAsync(byte[] message, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(message, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        catch
        {
            _broken = true;
            throw;
        }
    }

    private async Task<BackendMessage> ReadMessageAsync(CancellationToken cancellationToken)
    {
        try
        {
            var header = new byte[5];
            await _stream.ReadExactlyAsync(header, cancellationToken);
            var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
            if (length is < 4 or > 64 * 1024 * 1024)
            {
                throw new PgBouncerAdminException($"protocol error: message length {length}");
            }

            var body = new byte[length - 4];
            await _stream.ReadExactlyAsync(body, cancellationToken);
            return new BackendMessage((char)header[0], body);
        }
        catch
        {
            _broken = true;
            throw;
        }
    }

    private void StoreParameter(byte[] body)
    {
        var reader = new MessageReader(body);
        var name = reader.ReadCString();
        _parameters[name] = reader.ReadCString();
    }

    private static (List<string> Columns, Dictionary<string, int> Ordinals) ParseRowDescription(byte[] body)
    {
        var reader = new MessageReader(body);
        var count = reader.ReadInt16();
        var columns = new List<string>(count);
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadCString();
            reader.ReadBytes(18); // table oid, attribute number, type oid, type size, type modifier, format
            columns.Add(name);
            ordinals.TryAdd(name, i);
        }

        return (columns, ordinals);
    }

    private static string?[] ParseDataRow(byte[] body)
    {
        var reader = new MessageReader(body);
        var count = reader.ReadInt16();
        var values = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var length = reader.ReadInt32();
            values[i] = length < 0 ? null : Encoding.UTF8.GetString(reader.ReadBytes(length));
        }

        return values;
    }

    private static Dictionary<char, string> ParseFields(byte[] body)
    {
        var reader = new MessageReader(body);
        var fields = new Dictionary<char, string>();
        while (!reader.AtEnd)
        {
            var code = reader.ReadByte();
            if (code == 0)
            {
                break;
            }

            fields[(char)code] = reader.ReadCString();
        }

        return fields;
    }

    private static PgBouncerAdminException ParseError(byte[] body)
    {
        var fields = ParseFields(body);
        return new PgBouncerAdminException(
            fields.GetValueOrDefault('M', "unknown error"),
            fields.GetValueOrDefault('C'),
            fields.GetValueOrDefault('S'));
    }

    private static AdminNotice ParseNotice(byte[] body)
    {
        var fields = ParseFields(body);
        return new AdminNotice(fields.GetValueOrDefault('S', "NOTICE"), fields.GetValueOrDefault('C', ""), fields.GetValueOrDefault('M', ""));
    }
}
