using System.Collections.Concurrent;
using Npgsql;

namespace SidePool.Agent.Tests;

/// <summary>
/// N clients through the pooler, each running <c>BEGIN; SELECT pg_sleep(..); COMMIT</c> back to back and, unlike
/// <see cref="TransactionLoad"/>, carrying on through errors: a failed transaction is counted, the client waits
/// 100 ms, reconnects and goes on, as an application does through a database restart. Bounded: it stops when told.
/// </summary>
internal sealed class ResilientTransactionLoad
{
    private readonly string _connectionString;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly List<Task> _clients = [];
    private long _committed;
    private long _failed;

    public ResilientTransactionLoad(string connectionString) => _connectionString = connectionString;

    public long Committed => Interlocked.Read(ref _committed);

    public long Failed => Interlocked.Read(ref _failed);

    public IReadOnlyCollection<string> Errors => _errors;

    public void Start(int clients)
    {
        for (var i = 0; i < clients; i++)
        {
            _clients.Add(Task.Run(RunClientAsync));
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    private async Task RunClientAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync();
                await using var begin = new NpgsqlCommand("BEGIN", connection);
                await using var work = new NpgsqlCommand("SELECT pg_sleep(0.02)", connection);
                await using var commit = new NpgsqlCommand("COMMIT", connection);
                while (!_stop.IsCancellationRequested)
                {
                    await begin.ExecuteNonQueryAsync();
                    await work.ExecuteNonQueryAsync();
                    await commit.ExecuteNonQueryAsync();
                    Interlocked.Increment(ref _committed);
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
            {
                Interlocked.Increment(ref _failed);
                if (_errors.Count < 200)
                {
                    _errors.Enqueue(e.Message);
                }

                await Task.Delay(100);
            }
        }
    }
}
