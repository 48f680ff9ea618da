using System.Text.Json;
using SidePool.Api;

namespace SidePool.Core;

/// <summary>Decides whether a status write is needed (status is compared by its JSON form).</summary>
public static class StatusComparer
{
    public static bool Same(ConnectionPoolStatus? a, ConnectionPoolStatus? b) =>
        JsonSerializer.Serialize(a, ApiJsonContext.Default.ConnectionPoolStatus) == JsonSerializer.Serialize(b, ApiJsonContext.Default.ConnectionPoolStatus);
}
