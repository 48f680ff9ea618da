namespace SidePool.Agent.Configuration;

/// <summary>A mounted configuration that cannot be used; the message names the file and the problem (never a secret).</summary>
internal sealed class ConfigProblemException : Exception
{
    public ConfigProblemException()
    {
    }

    public ConfigProblemException(string message)
        : base(message)
    {
    }

    public ConfigProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
