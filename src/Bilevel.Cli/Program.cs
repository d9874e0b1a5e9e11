using Bilevel.Cli;

return await CliRunner.InvokeAsync(CliApplication.CreateRootCommand(), args);
