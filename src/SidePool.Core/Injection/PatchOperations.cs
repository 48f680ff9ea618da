using System.Text.Json.Nodes;

namespace SidePool.Core;

/// <summary>Collects RFC 6902 operations.</summary>
internal sealed class PatchOperations
{
    public JsonArray Operations { get; } = [];

    public void Add(string path, JsonNode? value) =>
        Operations.Add(new JsonObject { ["op"] = "add", ["path"] = path, ["value"] = value });

    public void Replace(string path, JsonNode? value) =>
        Operations.Add(new JsonObject { ["op"] = "replace", ["path"] = path, ["value"] = value });

    /// <summary>Appends <paramref name="items"/> to the array at <paramref name="path"/>, creating it when absent.</summary>
    public void Append(JsonObject parent, string path, string member, IReadOnlyList<JsonNode> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        if (parent[member] is JsonArray)
        {
            foreach (var item in items)
            {
                Add(path + "/-", item);
            }
        }
        else
        {
            Add(path, new JsonArray([.. items]));
        }
    }
}
