using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>A change recorded in the watch history. <see cref="Object"/> and <see cref="Previous"/> are never mutated.</summary>
internal sealed record StoredEvent(long ResourceVersion, string StorageKey, string? Namespace, string Type, JsonObject Object, JsonObject? Previous);
