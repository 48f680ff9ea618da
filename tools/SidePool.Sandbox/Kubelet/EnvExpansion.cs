using System.Text;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> expansion (k8s.io/kubernetes third_party/forked/golang/expansion): <c>$(NAME)</c> becomes the
/// variable's value when defined, stays <c>$(NAME)</c> when not; <c>$$</c> is an escaped <c>$</c>; any other <c>$</c> (also a
/// final one, and an unterminated <c>$(</c>) is kept as is. Used for env values, command and args.
/// </summary>
internal static class EnvExpansion
{
    public static string Expand(string input, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(lookup);
        var output = new StringBuilder(input.Length);
        var checkpoint = 0;
        for (var cursor = 0; cursor < input.Length; cursor++)
        {
            if (input[cursor] != '$' || cursor + 1 >= input.Length)
            {
                continue;
            }

            output.Append(input, checkpoint, cursor - checkpoint);
            var (read, isVariable, advance) = ReadVariableName(input.AsSpan(cursor + 1));
            output.Append(isVariable ? lookup(read) ?? $"$({read})" : read);
            cursor += advance;
            checkpoint = cursor + 1;
        }

        return output.Append(input, checkpoint, input.Length - checkpoint).ToString();
    }

    /// <summary>After a <c>$</c>: what to write, whether it is a variable name, how many characters were consumed.</summary>
    private static (string Read, bool IsVariable, int Advance) ReadVariableName(ReadOnlySpan<char> input)
    {
        switch (input[0])
        {
            case '$':
                return ("$", false, 1);
            case '(':
                for (var i = 1; i < input.Length; i++)
                {
                    if (input[i] == ')')
                    {
                        return (input[1..i].ToString(), true, i + 1);
                    }
                }

                return ("$(", false, 1);
            default:
                return ("$" + input[0], false, 1);
        }
    }
}
