using SidePool.Operator.Hosting;

return await OperatorCommandLine.RunAsync(
    args,
    Console.Out,
    Console.Error,
    (options, cancellationToken) => OperatorProgram.RunAsync(options, Console.Error, cancellationToken),
    CancellationToken.None);
