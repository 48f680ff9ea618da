using SidePool.Agent;

AgentOptions options;
try
{
    options = AgentOptionsParser.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"sidepool-agent: {e.Message}");
    Console.Error.Write(AgentOptionsParser.Usage);
    return 2;
}

if (options.ShowHelp)
{
    Console.Out.Write(AgentOptionsParser.Usage);
    return 0;
}

if (options.ShowVersion)
{
    Console.Out.WriteLine($"sidepool-agent {AgentVersion.Value}");
    return 0;
}

return await new AgentHost(options).RunAsync();
