using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>Renders objects as a <c>meta.k8s.io/v1 Table</c> (what <c>kubectl get</c> asks for).</summary>
internal static class TableConverter
{
    public static bool IsRequested(string? accept) =>
        accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Convert(ResourceDefinition definition, IEnumerable<JsonObject> objects, string resourceVersion, string? continueToken, string includeObject, DateTimeOffset now)
    {
        var columns = Columns(definition);
        var definitions = new JsonArray
        {
            new JsonObject
            {
                ["name"] = "Name",
                ["type"] = "string",
                ["format"] = "name",
                ["description"] = "Name must be unique within a namespace. Cannot be updated.",
                ["priority"] = 0,
            },
        };
        foreach (var column in columns)
        {
            definitions.Add(new JsonObject
            {
                ["name"] = column.Name,
                ["type"] = column.Type,
                ["format"] = column.Format,
                ["description"] = column.Description,
                ["priority"] = column.Priority,
            });
        }

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray { JsonValue.Create(JsonNodes.MetaString(obj, "name")) };
            foreach (var column in columns)
            {
                cells.Add(Cell(obj, column, now));
            }

            var row = new JsonObject { ["cells"] = cells };
            var rowObject = RowObject(obj, includeObject);
            if (rowObject is not null)
            {
                row["object"] = rowObject;
            }

            rows.Add(row);
        }

        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion };
        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    private static IReadOnlyList<PrinterColumn> Columns(ResourceDefinition definition) =>
        definition.PrinterColumns ?? [new PrinterColumn("Age", "date", ".metadata.creationTimestamp", "CreationTimestamp is a timestamp representing the server time when this object was created.")];

    private static JsonObject? RowObject(JsonObject obj, string includeObject)
    {
        switch (includeObject)
        {
            case "None":
                return null;
            case "Object":
                return obj.DeepClone().AsObject();
            default:
                var metadata = obj["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
                metadata.Remove("managedFields");
                return new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = metadata,
                };
        }
    }

    private static JsonNode? Cell(JsonObject obj, PrinterColumn column, DateTimeOffset now)
    {
        if (column.Compute is { } compute)
        {
            return compute(obj, now);
        }

        var value = JsonPathEvaluator.Evaluate(obj, column.JsonPath);
        if (value is null)
        {
            return null;
        }

        if (column.Type == "date" && value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && DateTimeOffset.TryParse(v.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return JsonValue.Create(HumanDuration.Format(now - time));
        }

        return value is JsonObject or JsonArray ? JsonValue.Create(value.ToJsonString()) : value.DeepClone();
    }
}
