using Bilevel.Experiments;
using Bilevel.Experiments.HyperCleaning;
using Bilevel.Experiments.Newsgroups;
using Bilevel.Interactive;
using Bilevel.Solvers;
using Bilevel.Traces;

namespace Bilevel.Tests.Experiments.Newsgroups;

public sealed class NewsgroupsExperimentTests
{
    [Theory]
    [InlineData(ExperimentProfile.Smoke)]
    [InlineData(ExperimentProfile.Default)]
    [InlineData(ExperimentProfile.Paper)]
    public void Methods_EveryProfile_EverySettingBuildsItsSolver(ExperimentProfile profile)
    {
        var settings = NewsgroupsSettings.For(profile);
        foreach (var method in settings.Methods().Concat(settings.BatchSizes.Select(NewsgroupsSettings.StocBiO)))
        {
            Assert.Equal(method.Solver, method.CreateSolver().Info.Name);
        }

        Assert.Equal(100, settings.BatchSizes[0]);
    }

    private static HyperCleaningRun Run(string label, string solver, double accuracy, double loss, string? group = null)
    {
        var rows = new List<TraceRow>
        {
            new(0, 0, 0, default, 3, 3, null, null, null, [0.05, 3.0]),
            new(5, 5, 1, default, loss, loss, null, null, null, [accuracy, loss]),
        };
        var trace = new SolverTrace(SolverCatalog.Get(solver).Info, "", "test", 0, ["test accuracy", "test loss"], rows, StopReason.Seconds);
        return new HyperCleaningRun(HyperCleaningSection.Paper002, "20 Newsgroups", 0, new ExperimentMethod(label, solver, []), [trace], group);
    }

    [Fact]
    public void Check_StocBiOBestAndFlatAcrossBatches_ClaimsHoldAndGridComparisonUsesValidationChoice()
    {
        var settings = NewsgroupsSettings.For(ExperimentProfile.Smoke);
        var report = new NewsgroupsReport(settings, "data", [Run("stocBiO", "stocbio", 0.70, 1.0), Run("HOAG", "hoag", 0.60, 1.5), Run("stocBiO B=1000", "stocbio", 0.69, 1.1, "batch sweep")],
            [(0, 2.0, 0.65, 1.4), (4, 1.8, 0.62, 1.3)], [], [], 1, 1L << 30);
        Assert.All(report.Claims, c => Assert.True(c.Holds, c.Claim + " — " + c.Evidence));
        // The grid's choice is λ = 4 (lowest validation loss), whose test accuracy 62% is what the best method is compared with.
        Assert.Contains("global λ = 4", report.Claims.Single(c => c.Claim.StartsWith("Issue 10: the best", StringComparison.Ordinal)).Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BatchSizesFarApartAndOverMemory_ReportedAsNotHolding()
    {
        var settings = NewsgroupsSettings.For(ExperimentProfile.Smoke);
        var report = new NewsgroupsReport(settings, "data", [Run("stocBiO", "stocbio", 0.70, 1.0), Run("stocBiO B=1000", "stocbio", 0.60, 1.1, "batch sweep")],
            [], [], [], 1, 5L << 30);
        Assert.False(report.Claims.Single(c => c.Claim.Contains("batch size", StringComparison.Ordinal)).Holds);
        Assert.False(report.Claims.Single(c => c.Claim.Contains("4 GB", StringComparison.Ordinal)).Holds);
    }

    [Fact]
    public void Write_SmallReport_WritesSummaryClaimsTablesTracesAndFigures()
    {
        var settings = NewsgroupsSettings.For(ExperimentProfile.Smoke);
        var report = new NewsgroupsReport(settings, "data", [Run("stocBiO", "stocbio", 0.70, 1.0), Run("stocBiO B=1000", "stocbio", 0.69, 1.1, "batch sweep")],
            [(0, 2.0, 0.65, 1.4)], [("car", -0.1)], [("the", 0.2)], 1, 1L << 30);
        var directory = Path.Combine(Path.GetTempPath(), $"newsgroups-{Guid.NewGuid():N}");
        try
        {
            var files = NewsgroupsResults.Write(report, directory);
            Assert.Equal(["summary.json", "claims.txt", "tables.txt", "stocBiO.csv", "stocBiO-B-1000.csv", "fig2-test-loss-accuracy.html", "fig3-batch-size.html"],
                files.Select(Path.GetFileName));
            Assert.All(files, f => Assert.True(new FileInfo(f).Length > 0, f));
            using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(files[0]));
            Assert.Equal("smoke", summary.RootElement.GetProperty("profile").GetString());
            Assert.Equal(2, summary.RootElement.GetProperty("runs").GetArrayLength());
            Assert.Contains("car", File.ReadAllText(files[2]), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
