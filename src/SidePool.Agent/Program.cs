using SidePool.Agent;

if (args is ["--help"] or ["-h"])
{
    Console.Out.Write(AgentOptionsParser.Usage);
    return 0;
}

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

return await new AgentHost(options).RunAsync();
