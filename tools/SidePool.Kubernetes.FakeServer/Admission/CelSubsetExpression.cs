using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>
/// The small CEL subset the fake evaluates for <c>matchConditions</c>: string, integer, boolean and null literals;
/// the variables <c>object</c>, <c>oldObject</c> and <c>request</c>; field access (<c>a.b</c>, <c>a['b']</c>, <c>a[0]</c>);
/// <c>has(a.b)</c>; <c>!</c>, <c>&amp;&amp;</c>, <c>||</c> (with CEL's commutative error handling), <c>==</c>, <c>!=</c>;
/// <c>x in map</c> (over the map's keys) and <c>x in list</c>; parentheses. Anything else (other functions, macros,
/// <c>authorizer</c>, comparison operators, arithmetic) throws <see cref="CelUnsupportedException"/> at parse time:
/// the caller treats it per <c>failurePolicy</c> and never as a silent match.
/// </summary>
internal sealed class CelSubsetExpression
{
    private static readonly HashSet<string> Variables = ["object", "oldObject", "request"];
    private readonly Node _root;

    private CelSubsetExpression(Node root) => _root = root;

    public static CelSubsetExpression Parse(string expression)
    {
        var parser = new Parser(Tokenize(expression), expression);
        var root = parser.ParseOr();
        parser.ExpectEnd();
        return new CelSubsetExpression(root);
    }

    /// <summary>Evaluates to a boolean; a non-boolean result or a CEL error throws <see cref="CelEvaluationException"/>.</summary>
    public bool Evaluate(IReadOnlyDictionary<string, JsonNode?> variables) =>
        AsBool(Eval(_root, variables), "expression result");

    private static JsonNode? Eval(Node node, IReadOnlyDictionary<string, JsonNode?> variables) => node switch
    {
        Literal literal => literal.Value?.DeepClone(),
        Variable variable => variables.TryGetValue(variable.Name, out var value) ? value : throw new CelEvaluationException($"undeclared reference to '{variable.Name}'"),
        Select select => Field(Eval(select.Target, variables), select.Field),
        Index index => IndexInto(Eval(index.Target, variables), Eval(index.Key, variables)),
        Has has => Eval(has.Select.Target, variables) is JsonObject map
            ? JsonValue.Create(map.ContainsKey(has.Select.Field))
            : throw new CelEvaluationException($"invalid type for field selection in has({has.Select.Field})"),
        Not not => JsonValue.Create(!AsBool(Eval(not.Operand, variables), "!_")),
        And and => Logical(and.Left, and.Right, variables, shortCircuitOn: false),
        Or or => Logical(or.Left, or.Right, variables, shortCircuitOn: true),
        Equality equality => JsonValue.Create(ValuesEqual(Eval(equality.Left, variables), Eval(equality.Right, variables)) != equality.Negated),
        In @in => JsonValue.Create(Contains(Eval(@in.Collection, variables), Eval(@in.Element, variables))),
        _ => throw new CelUnsupportedException("unknown expression node"),
    };

    /// <summary>CEL's <c>&amp;&amp;</c>/<c>||</c>: a decisive operand wins over an error in the other one.</summary>
    private static JsonValue Logical(Node left, Node right, IReadOnlyDictionary<string, JsonNode?> variables, bool shortCircuitOn)
    {
        var name = shortCircuitOn ? "_||_" : "_&&_";
        var (leftValue, leftError) = TryBool(left, variables, name);
        if (leftError is null && leftValue == shortCircuitOn)
        {
            return JsonValue.Create(shortCircuitOn);
        }

        var (rightValue, rightError) = TryBool(right, variables, name);
        if (rightError is null && rightValue == shortCircuitOn)
        {
            return JsonValue.Create(shortCircuitOn);
        }

        return leftError is not null ? throw leftError
            : rightError is not null ? throw rightError
            : JsonValue.Create(!shortCircuitOn);
    }

    private static (bool Value, CelEvaluationException? Error) TryBool(Node node, IReadOnlyDictionary<string, JsonNode?> variables, string name)
    {
        try
        {
            return (AsBool(Eval(node, variables), name), null);
        }
        catch (CelEvaluationException error)
        {
            return (false, error);
        }
    }

    private static bool AsBool(JsonNode? value, string what) =>
        value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? v.GetValue<bool>()
            : throw new CelEvaluationException($"no matching overload for '{what}' applied to '({TypeName(value)})'");

    private static JsonNode? Field(JsonNode? target, string field) => target switch
    {
        JsonObject map when map.TryGetPropertyValue(field, out var value) => value,
        JsonObject => throw new CelEvaluationException($"no such key: {field}"),
        _ => throw new CelEvaluationException($"no such key: {field} (field selection on {TypeName(target)})"),
    };

    private static JsonNode? IndexInto(JsonNode? target, JsonNode? key)
    {
        switch (target)
        {
            case JsonObject map:
                var name = key is JsonValue k && k.GetValueKind() == JsonValueKind.String ? k.GetValue<string>() : throw new CelEvaluationException($"no such key: {key?.ToJsonString()}");
                return Field(map, name);
            case JsonArray list:
                var index = JsonNodes.GetInt64(key) ?? throw new CelEvaluationException($"no matching overload for '_[_]' applied to '(list, {TypeName(key)})'");
                return index >= 0 && index < list.Count ? list[(int)index] : throw new CelEvaluationException($"index out of bounds: {index}");
            default:
                throw new CelEvaluationException($"no matching overload for '_[_]' applied to '({TypeName(target)}, {TypeName(key)})'");
        }
    }

    private static bool Contains(JsonNode? collection, JsonNode? element) => collection switch
    {
        JsonObject map => element is JsonValue v && v.GetValueKind() == JsonValueKind.String && map.ContainsKey(v.GetValue<string>()),
        JsonArray list => list.Any(item => ValuesEqual(item, element)),
        _ => throw new CelEvaluationException($"no matching overload for '@in' applied to '({TypeName(element)}, {TypeName(collection)})'"),
    };

    private static bool ValuesEqual(JsonNode? a, JsonNode? b)
    {
        if (a is JsonValue x && b is JsonValue y && x.GetValueKind() == JsonValueKind.Number && y.GetValueKind() == JsonValueKind.Number)
        {
            return decimal.Parse(x.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture) == decimal.Parse(y.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return JsonNode.DeepEquals(a, b);
    }

    private static string TypeName(JsonNode? value) => value switch
    {
        null => "null_type",
        JsonObject => "map",
        JsonArray => "list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "int",
            JsonValueKind.True or JsonValueKind.False => "bool",
            _ => "null_type",
        },
        _ => "unknown",
    };

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, text[start..i], start));
                continue;
            }

            if (char.IsDigit(c))
            {
                var start = i;
                while (i < text.Length && char.IsDigit(text[i]))
                {
                    i++;
                }

                if (i < text.Length && (char.IsLetter(text[i]) || text[i] == '.'))
                {
                    throw new CelUnsupportedException($"unsupported number literal at offset {start}");
                }

                tokens.Add(new Token(TokenKind.Integer, text[start..i], start));
                continue;
            }

            if (c is '\'' or '"')
            {
                tokens.Add(ReadString(text, ref i));
                continue;
            }

            var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
            if (two is "&&" or "||" or "==" or "!=")
            {
                tokens.Add(new Token(TokenKind.Operator, two, i));
                i += 2;
                continue;
            }

            if (c is '!' or '(' or ')' or '.' or '[' or ']')
            {
                tokens.Add(new Token(TokenKind.Operator, c.ToString(), i));
                i++;
                continue;
            }

            throw new CelUnsupportedException($"unsupported token '{c}' at offset {i}");
        }

        tokens.Add(new Token(TokenKind.End, string.Empty, text.Length));
        return tokens;
    }

    private static Token ReadString(string text, ref int i)
    {
        var quote = text[i];
        var start = i;
        if (i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote)
        {
            throw new CelUnsupportedException($"triple-quoted strings are not supported (offset {start})");
        }

        var value = new StringBuilder();
        i++;
        while (true)
        {
            if (i >= text.Length)
            {
                throw new CelUnsupportedException($"unterminated string literal at offset {start}");
            }

            var c = text[i++];
            if (c == quote)
            {
                return new Token(TokenKind.String, value.ToString(), start);
            }

            if (c != '\\')
            {
                value.Append(c);
                continue;
            }

            if (i >= text.Length)
            {
                throw new CelUnsupportedException($"unterminated string literal at offset {start}");
            }

            var escaped = text[i++];
            value.Append(escaped switch
            {
                '\\' => '\\',
                '\'' => '\'',
                '"' => '"',
                'n' => '\n',
                't' => '\t',
                _ => throw new CelUnsupportedException($"unsupported escape '\\{escaped}' in string literal at offset {start}"),
            });
        }
    }

    private enum TokenKind
    {
        Identifier,
        Integer,
        String,
        Operator,
        End,
    }

    private sealed record Token(TokenKind Kind, string Text, int Offset);

    private abstract record Node;

    private sealed record Literal(JsonNode? Value) : Node;

    private sealed record Variable(string Name) : Node;

    private sealed record Select(Node Target, string Field) : Node;

    private sealed record Index(Node Target, Node Key) : Node;

    private sealed record Has(Select Select) : Node;

    private sealed record Not(Node Operand) : Node;

    private sealed record And(Node Left, Node Right) : Node;

    private sealed record Or(Node Left, Node Right) : Node;

    private sealed record Equality(Node Left, Node Right, bool Negated) : Node;

    private sealed record In(Node Element, Node Collection) : Node;

    private sealed class Parser(List<Token> tokens, string source)
    {
        private int _position;

        private Token Current => tokens[_position];

        public void ExpectEnd()
        {
            if (Current.Kind != TokenKind.End)
            {
                throw Unsupported($"unexpected '{Current.Text}'");
            }
        }

        public Node ParseOr()
        {
            var left = ParseAnd();
            while (Accept("||"))
            {
                left = new Or(left, ParseAnd());
            }

            return left;
        }

        private Node ParseAnd()
        {
            var left = ParseRelation();
            while (Accept("&&"))
            {
                left = new And(left, ParseRelation());
            }

            return left;
        }

        private Node ParseRelation()
        {
            var left = ParseUnary();
            if (Accept("=="))
            {
                return new Equality(left, ParseUnary(), Negated: false);
            }

            if (Accept("!="))
            {
                return new Equality(left, ParseUnary(), Negated: true);
            }

            if (Current is { Kind: TokenKind.Identifier, Text: "in" })
            {
                _position++;
                return new In(left, ParseUnary());
            }

            return left;
        }

        private Node ParseUnary() => Accept("!") ? new Not(ParseUnary()) : ParseMember();

        private Node ParseMember()
        {
            var node = ParsePrimary();
            while (true)
            {
                if (Accept("."))
                {
                    var field = Current.Kind == TokenKind.Identifier ? Current.Text : throw Unsupported("expected a field name after '.'");
                    _position++;
                    if (Current.Text == "(")
                    {
                        throw Unsupported($"method '{field}()' is outside the subset");
                    }

                    node = new Select(node, field);
                }
                else if (Accept("["))
                {
                    var key = ParseOr();
                    Expect("]");
                    node = new Index(node, key);
                }
                else
                {
                    return node;
                }
            }
        }

        private Node ParsePrimary()
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.String:
                    _position++;
                    return new Literal(JsonValue.Create(token.Text));
                case TokenKind.Integer:
                    _position++;
                    return new Literal(JsonValue.Create(long.Parse(token.Text, CultureInfo.InvariantCulture)));
                case TokenKind.Operator when token.Text == "(":
                    {
                        _position++;
                        var inner = ParseOr();
                        Expect(")");
                        return inner;
                    }

                case TokenKind.Identifier:
                    _position++;
                    switch (token.Text)
                    {
                        case "true":
                            return new Literal(JsonValue.Create(true));
                        case "false":
                            return new Literal(JsonValue.Create(false));
                        case "null":
                            return new Literal(null);
                        case "has":
                            {
                                Expect("(");
                                var argument = ParseMember();
                                Expect(")");
                                return argument is Select select
                                    ? new Has(select)
                                    : throw Unsupported("has() needs a field selection such as has(object.metadata.labels)");
                            }

                        default:
                            if (Current.Text == "(")
                            {
                                throw Unsupported($"function '{token.Text}()' is outside the subset");
                            }

                            return Variables.Contains(token.Text)
                                ? new Variable(token.Text)
                                : throw Unsupported($"variable '{token.Text}' is outside the subset (object, oldObject, request)");
                    }

                default:
                    throw Unsupported($"unexpected '{token.Text}'");
            }
        }

        private bool Accept(string text)
        {
            if (Current.Kind == TokenKind.Operator && Current.Text == text)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void Expect(string text)
        {
            if (!Accept(text))
            {
                throw Unsupported($"expected '{text}'");
            }
        }

        private CelUnsupportedException Unsupported(string why) =>
            new($"{why} at offset {Current.Offset} in \"{source}\"");
    }
}
