using Bilevel.Experiments;
using Bilevel.Plotting;
using Bilevel.Solvers;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Experiments;

/// <summary>The shared results-folder writer of the experiments.</summary>
public sealed class ResultsFolderTests
{
    [Fact]
    public void Write_TextTracesFigure_CreatesSubfoldersRecordsPathsInOrderAndSkipsARepeatedTrace()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"results-{Guid.NewGuid():N}");
        try
        {
            var folder = new ResultsFolder(directory);
            var descriptor = SolverCatalog.Get("aid-bio");
            var traces = SolverRunner.RunSeeds(descriptor.Create(descriptor.ConvergenceCheck.Settings), SolverKit.CheckProblem(),
                new RunSettings(new RunBudget(2)) { Schedule = EvaluationSchedule.Periodic(1) }, [0]);
            folder.Text("summary.json", "{}");
            Assert.True(folder.Traces(Path.Combine("traces", "a.csv"), traces));
            Assert.False(folder.Traces(Path.Combine("traces", "a.csv"), traces));
            var figure = new Figure("f");
            figure.AddLine("line", [0.0, 1.0], [1.0, 2.0]);
            folder.Figure(Path.Combine("figures", "f.html"), figure);
            Assert.Equal([Path.Combine(directory, "summary.json"), Path.Combine(directory, "traces", "a.csv"), Path.Combine(directory, "figures", "f.html")], folder.Files);
            Assert.All(folder.Files, f => Assert.True(new FileInfo(f).Length > 0, f));
            Assert.Equal("{}", File.ReadAllText(folder.Files[0]));
            Assert.StartsWith("solver,problem,seed,iteration", File.ReadAllLines(folder.Files[1])[0], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Constructor_BlankDirectory_Throws() => Assert.Throws<ArgumentException>(() => new ResultsFolder(" "));
}
