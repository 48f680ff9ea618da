using SidePool.Agent;

return await AgentCommandLine.RunAsync(args, Console.Out, Console.Error, options => new AgentHost(options).RunAsync());
