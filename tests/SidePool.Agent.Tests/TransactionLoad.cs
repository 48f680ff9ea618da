using System.Collections.Concurrent;
using Npgsql;

namespace SidePool.Agent.Tests;

/// <summary>
/// N clients, each on its own connection through the pooler, running <c>BEGIN; SELECT pg_sleep(..); COMMIT</c>
/// back to back until told to stop; every transaction begun and committed is counted, every error kept.
/// </summary>
internal sealed class TransactionLoad
{
    private readonly string _connectionString;
    private readonly double _sleepSeconds;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly List<Task> _clients = [];
    private long _begun;
    private long _committed;
    private long _connected;

    public TransactionLoad(string connectionString, double sleepSeconds = 0.05)
    {
        _connectionString = connectionString;
        _sleepSeconds = sleepSeconds;
    }

    public long Begun => Interlocked.Read(ref _begun);

    public long Committed => Interlocked.Read(ref _committed);

    public long Connected => Interlocked.Read(ref _connected);

    public IReadOnlyCollection<string> Errors => _errors;

    public void Start(int clients)
    {
        for (var i = 0; i < clients; i++)
        {
            _clients.Add(Task.Run(RunClientAsync));
        }
    }

    /// <summary>Waits until every client connected and committed at least one transaction.</summary>
    public async Task WaitUntilRunningAsync(int clients, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Connected < clients || Committed < clients)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {Connected} clients connected, {Committed} commits; errors: {string.Join(" | ", _errors)}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Tells the clients to stop: each finishes its transaction, closes, and the returned task completes.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    /// <summary>One extra connection opened and used now (e.g. to show the pooler still accepts).</summary>
    public async Task<bool> OneShotAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return await command.ExecuteScalarAsync() is 1;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
            _errors.Enqueue($"one-shot: {e.Message}");
            return false;
        }
    }

    private async Task RunClientAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            Interlocked.Increment(ref _connected);
            await using var begin = new NpgsqlCommand("BEGIN", connection);
            await using var work = new NpgsqlCommand($"SELECT pg_sleep({_sleepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})", connection);
            await using var commit = new NpgsqlCommand("COMMIT", connection);
            while (!_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _begun);
                await begin.ExecuteNonQueryAsync();
                await work.ExecuteNonQueryAsync();
                await commit.ExecuteNonQueryAsync();
                Interlocked.Increment(ref _committed);
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
            _errors.Enqueue(e.Message);
        }
    }
}
