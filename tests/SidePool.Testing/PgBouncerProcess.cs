namespace SidePool.Testing;

/// <summary>A real PgBouncer started on a given ini file (as the service user when root).</summary>
public sealed class PgBouncerProcess : IAsyncDisposable
{
    private PgBouncerProcess(ManagedProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public ManagedProcess Process { get; }

    public int Port { get; }

    /// <summary>
    /// Starts <c>pgbouncer iniPath</c> and waits until it listens on <paramref name="port"/>; throws with its
    /// log if it exits first.
    /// </summary>
    public static async Task<PgBouncerProcess> StartAsync(string iniPath, int port, CancellationToken cancellationToken = default)
    {
        var process = ManagedProcess.Start(Binaries.PgBouncer, [iniPath]);
        try
        {
            await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(20), () => process.HasExited, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException)
        {
            await process.WaitForExitAsync(TimeSpan.FromSeconds(2));
            var output = process.Output;
            await process.DisposeAsync();
            throw new InvalidOperationException($"pgbouncer did not start on port {port}:\n{output}");
        }

        return new PgBouncerProcess(process, port);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
