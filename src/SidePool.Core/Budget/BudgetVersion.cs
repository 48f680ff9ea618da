using System.Text;
using System.Text.Json;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>What the budget needs to know about one published version (read from its Secret; pure).</summary>
public sealed record BudgetVersion(string? Key, int Cap, int Entries)
{
    /// <summary>
    /// The version's budget key (null for a version built before the pool had a budget: its pods are unmanaged) and its
    /// worst case per pod: <c>size + reserve</c> per database entry. Null when the Secret lacks its spec.
    /// </summary>
    public static BudgetVersion? Of(Secret versionSecret)
    {
        if (PoolSecretsBuilder.SpecOf(versionSecret) is not { } spec)
        {
            return null;
        }

        string? key = null;
        if (versionSecret.Data?.GetValueOrDefault(VersionContract.Files.Agent) is { } json)
        {
            try
            {
                key = AgentConfig.Parse(Encoding.UTF8.GetString(json))?.Budget?.Key;
            }
            catch (JsonException)
            {
                key = null;
            }
        }

        return new BudgetVersion(key is { Length: > 0 } ? key : null, spec.Pool.Size + spec.Pool.ReserveSize, spec.Backend?.ReadOnlyHost is null ? 1 : 2);
    }
}
