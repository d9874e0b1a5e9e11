using System.CommandLine;

namespace Bilevel.Cli;

/// <summary>The <c>bilevel</c> command tree.</summary>
internal static class CliApplication
{
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("bilevel: bilevel-optimization experiments of the Bilevel.Notebooks workbook");
        root.Subcommands.Add(QuadraticCheckCommand.Create());
        root.Subcommands.Add(KernelCommand.Create());
        root.Subcommands.Add(GradientCheckCommand.Create());
        var bench = BenchCommand.Create();
        bench.Subcommands.Add(HyperCleaningBenchCommand.Create());
        bench.Subcommands.Add(NewsgroupsBenchCommand.Create());
        bench.Subcommands.Add(OmniglotBenchCommand.Create());
        root.Subcommands.Add(bench);
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(SolverCommands.CreateList());
        root.Subcommands.Add(SolverCommands.CreateSolve());
        root.Subcommands.Add(ReproduceCommand.Create());
        return root;
    }
}
