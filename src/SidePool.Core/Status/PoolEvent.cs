namespace SidePool.Core;

/// <summary>An event to record on the pool (events.k8s.io/v1): type Normal or Warning, CamelCase reason, action, note.</summary>
public sealed record PoolEvent(string Type, string Reason, string Action, string Note);
