using System.CommandLine;

var root = new RootCommand("The SidePool demo: a sandbox cluster, the operator, an app under load, and a tour of reloads, rotation, a new version and scaling.");
return await root.Parse(args).InvokeAsync();
