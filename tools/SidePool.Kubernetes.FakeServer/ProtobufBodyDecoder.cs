using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Decodes the Kubernetes protobuf envelope (<c>k8s\0</c> + <c>runtime.Unknown</c>) that kubectl's typed commands
/// (<c>kubectl create namespace|configmap|secret|serviceaccount|deployment</c>, <c>kubectl run</c>) and helm's release
/// storage (DeleteOptions of a release Secret's delete) send, for the few kinds whose field numbers are known here:
/// Namespace, ConfigMap, Secret, ServiceAccount (metadata: name, generateName, namespace, uid, resourceVersion, generation,
/// labels, annotations, ownerReferences, finalizers), DeleteOptions (apimachinery's meta/v1 generated.proto), and the
/// fields <c>kubectl create deployment</c> and <c>kubectl run</c> set of a Deployment and a Pod (replicas, selector's
/// matchLabels, template; containers' name, image, command, args, imagePullPolicy; restartPolicy, dnsPolicy; core/v1 and
/// apps/v1 generated.proto). Other kinds are 415; fields not listed are dropped.
/// </summary>
internal static class ProtobufBodyDecoder
{
    private static readonly byte[] Magic = [0x6b, 0x38, 0x73, 0x00];

    private static readonly Field[] ObjectMeta =
    [
        new(1, "name", FieldType.String), new(2, "generateName", FieldType.String), new(3, "namespace", FieldType.String),
        new(5, "uid", FieldType.String), new(6, "resourceVersion", FieldType.String), new(7, "generation", FieldType.Int64),
        new(11, "labels", FieldType.StringMap), new(12, "annotations", FieldType.StringMap),
        new(13, "ownerReferences", FieldType.RepeatedMessage, OwnerReference()), new(14, "finalizers", FieldType.RepeatedString),
    ];

    private static readonly Field[] PodSpec =
    [
        new(2, "containers", FieldType.RepeatedMessage,
        [
            new(1, "name", FieldType.String), new(2, "image", FieldType.String), new(3, "command", FieldType.RepeatedString),
            new(4, "args", FieldType.RepeatedString), new(14, "imagePullPolicy", FieldType.String),
        ]),
        new(3, "restartPolicy", FieldType.String), new(6, "dnsPolicy", FieldType.String),
    ];

    private static readonly Dictionary<string, Field[]> Kinds = new(StringComparer.Ordinal)
    {
        ["Pod"] = [new(1, "metadata", FieldType.Message, ObjectMeta), new(2, "spec", FieldType.Message, PodSpec)],
        ["Deployment"] =
        [
            new(1, "metadata", FieldType.Message, ObjectMeta),
            new(2, "spec", FieldType.Message,
            [
                new(1, "replicas", FieldType.OptionalInt64),
                new(2, "selector", FieldType.Message, [new(1, "matchLabels", FieldType.StringMap)]),
                new(3, "template", FieldType.Message, [new(1, "metadata", FieldType.Message, ObjectMeta), new(2, "spec", FieldType.Message, PodSpec)]),
            ]),
        ],
        ["ConfigMap"] =
        [
            new(1, "metadata", FieldType.Message, ObjectMeta), new(2, "data", FieldType.StringMap),
            new(3, "binaryData", FieldType.BytesMap), new(4, "immutable", FieldType.Bool),
        ],
        ["Secret"] =
        [
            new(1, "metadata", FieldType.Message, ObjectMeta), new(2, "data", FieldType.BytesMap), new(3, "type", FieldType.String),
            new(4, "stringData", FieldType.StringMap), new(5, "immutable", FieldType.Bool),
        ],
        ["Namespace"] =
        [
            new(1, "metadata", FieldType.Message, ObjectMeta), new(2, "spec", FieldType.Message, [new(1, "finalizers", FieldType.RepeatedString)]),
        ],
        // Pointer fields are on the wire exactly when set, so gracePeriodSeconds 0 ("now") is kept.
        ["DeleteOptions"] =
        [
            new(1, "gracePeriodSeconds", FieldType.OptionalInt64),
            new(2, "preconditions", FieldType.Message, [new(1, "uid", FieldType.String), new(2, "resourceVersion", FieldType.String)]),
            new(3, "orphanDependents", FieldType.Bool), new(4, "propagationPolicy", FieldType.String), new(5, "dryRun", FieldType.RepeatedString),
        ],
        ["ServiceAccount"] =
        [
            new(1, "metadata", FieldType.Message, ObjectMeta),
            new(3, "imagePullSecrets", FieldType.RepeatedMessage, [new(1, "name", FieldType.String)]),
            new(4, "automountServiceAccountToken", FieldType.Bool),
        ],
    };

    private enum FieldType
    {
        String,
        Int64,
        OptionalInt64,
        Bool,
        Message,
        RepeatedMessage,
        RepeatedString,
        StringMap,
        BytesMap,
    }

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < Magic.Length || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw Unsupported("the protobuf body does not start with the Kubernetes envelope");
        }

        string? apiVersion = null;
        string? kind = null;
        byte[]? raw = null;
        var reader = new WireReader(body, Magic.Length, body.Length);
        while (reader.Next(out var number, out var wireType))
        {
            if (number == 1 && wireType == 2)
            {
                var typeMeta = reader.ReadBytes();
                var inner = new WireReader(typeMeta, 0, typeMeta.Length);
                while (inner.Next(out var n, out var w))
                {
                    if (n == 1 && w == 2)
                    {
                        apiVersion = Encoding.UTF8.GetString(inner.ReadBytes());
                    }
                    else if (n == 2 && w == 2)
                    {
                        kind = Encoding.UTF8.GetString(inner.ReadBytes());
                    }
                    else
                    {
                        inner.Skip(w);
                    }
                }
            }
            else if (number == 2 && wireType == 2)
            {
                raw = reader.ReadBytes();
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        if (kind is null || raw is null || !Kinds.TryGetValue(kind, out var fields))
        {
            throw Unsupported($"protobuf bodies are only understood for {string.Join(", ", Kinds.Keys)}; send {kind ?? "this object"} as application/json");
        }

        var obj = new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion };
        DecodeMessage(raw, fields, obj);
        return obj;
    }

    private static ApiException Unsupported(string message) => ApiException.UnsupportedMediaType(message);

    private static void DecodeMessage(byte[] data, Field[] fields, JsonObject target)
    {
        var reader = new WireReader(data, 0, data.Length);
        while (reader.Next(out var number, out var wireType))
        {
            var field = Array.Find(fields, f => f.Number == number);
            if (field is null)
            {
                reader.Skip(wireType);
                continue;
            }

            switch (field.Type)
            {
                case FieldType.String:
                    var text = Encoding.UTF8.GetString(reader.ReadBytes());
                    if (text.Length > 0)
                    {
                        target[field.Name] = text;
                    }

                    break;
                case FieldType.Int64:
                    var value = (long)reader.ReadVarint();
                    if (value != 0)
                    {
                        target[field.Name] = value;
                    }

                    break;
                case FieldType.OptionalInt64:
                    target[field.Name] = (long)reader.ReadVarint();
                    break;
                case FieldType.Bool:
                    target[field.Name] = reader.ReadVarint() != 0;
                    break;
                case FieldType.Message:
                    {
                        var child = new JsonObject();
                        DecodeMessage(reader.ReadBytes(), field.Children!, child);
                        if (child.Count > 0)
                        {
                            target[field.Name] = child;
                        }

                        break;
                    }

                case FieldType.RepeatedMessage:
                    {
                        var child = new JsonObject();
                        DecodeMessage(reader.ReadBytes(), field.Children!, child);
                        ArrayOf(target, field.Name).Add(child);
                        break;
                    }

                case FieldType.RepeatedString:
                    ArrayOf(target, field.Name).Add(Encoding.UTF8.GetString(reader.ReadBytes()));
                    break;
                case FieldType.StringMap or FieldType.BytesMap:
                    {
                        var entry = reader.ReadBytes();
                        var entryReader = new WireReader(entry, 0, entry.Length);
                        var key = string.Empty;
                        byte[] entryValue = [];
                        while (entryReader.Next(out var n, out var w))
                        {
                            if (n == 1 && w == 2)
                            {
                                key = Encoding.UTF8.GetString(entryReader.ReadBytes());
                            }
                            else if (n == 2 && w == 2)
                            {
                                entryValue = entryReader.ReadBytes();
                            }
                            else
                            {
                                entryReader.Skip(w);
                            }
                        }

                        if (target[field.Name] is not JsonObject map)
                        {
                            map = new JsonObject();
                            target[field.Name] = map;
                        }

                        map[key] = field.Type == FieldType.StringMap ? Encoding.UTF8.GetString(entryValue) : Convert.ToBase64String(entryValue);
                        break;
                    }
            }
        }
    }

    private static JsonArray ArrayOf(JsonObject target, string name)
    {
        if (target[name] is not JsonArray array)
        {
            array = new JsonArray();
            target[name] = array;
        }

        return array;
    }

    private static Field[] OwnerReference() =>
    [
        new(1, "kind", FieldType.String), new(3, "name", FieldType.String), new(4, "uid", FieldType.String),
        new(5, "apiVersion", FieldType.String), new(6, "controller", FieldType.Bool), new(7, "blockOwnerDeletion", FieldType.Bool),
    ];

    private sealed record Field(int Number, string Name, FieldType Type, Field[]? Children = null);

    /// <summary>Protobuf wire-format reader over a byte range.</summary>
    private sealed class WireReader(byte[] data, int position, int end)
    {
        private int _position = position;

        public bool Next(out int number, out int wireType)
        {
            if (_position >= end)
            {
                number = 0;
                wireType = 0;
                return false;
            }

            var tag = ReadVarint();
            number = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            return true;
        }

        public ulong ReadVarint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position >= end)
                {
                    throw ApiException.BadRequest("truncated protobuf body");
                }

                var b = data[_position++];
                result |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            throw ApiException.BadRequest("malformed protobuf varint");
        }

        public byte[] ReadBytes()
        {
            var length = (int)ReadVarint();
            if (length < 0 || _position + length > end)
            {
                throw ApiException.BadRequest("truncated protobuf body");
            }

            var bytes = data.AsSpan(_position, length).ToArray();
            _position += length;
            return bytes;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0:
                    ReadVarint();
                    break;
                case 1:
                    _position += 8;
                    break;
                case 2:
                    ReadBytes();
                    break;
                case 5:
                    _position += 4;
                    break;
                default:
                    throw ApiException.BadRequest($"unsupported protobuf wire type {wireType}");
            }
        }
    }
}
