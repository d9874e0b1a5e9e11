using System.CommandLine;
using Bilevel.Cli;

var root = new RootCommand("bilevel: bilevel-optimization experiments of the Bilevel.Notebooks workbook");
root.Subcommands.Add(QuadraticCheckCommand.Create());
return await CliRunner.InvokeAsync(root, args);
