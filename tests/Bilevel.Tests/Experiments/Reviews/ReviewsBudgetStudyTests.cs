using Bilevel.Experiments.Reviews;
using Bilevel.Interactive;
using Bilevel.Solvers;
using Bilevel.Traces;

namespace Bilevel.Tests.Experiments.Reviews;

/// <summary>The reviews budget study: settings, one smoke run (twice, for determinism) and its claims on synthetic reports.</summary>
public sealed class ReviewsBudgetStudyTests
{
    [Theory]
    [InlineData(ExperimentProfile.Smoke)]
    [InlineData(ExperimentProfile.Default)]
    [InlineData(ExperimentProfile.Paper)]
    public void For_EveryProfile_FirstLengthIsTheExperimentsAndLongestLast(ExperimentProfile profile)
    {
        var settings = ReviewsBudgetSettings.For(profile);
        Assert.Equal(settings.Reviews.MaxLength, settings.Lengths[0]);
        Assert.Equal(settings.Lengths.Max(), settings.Lengths[^1]);
        Assert.True(settings.CleaningIterations % settings.CheckpointEvery == 0);
    }

    [Fact]
    public void For_Default_LongRunHasFifteenMainRunsOfSeconds()
    {
        var settings = ReviewsBudgetSettings.For(ExperimentProfile.Default);
        Assert.Equal(15 * settings.Reviews.Seconds!.Value, settings.LongSeconds);
        Assert.Equal([40, 150], settings.Lengths);
    }

    [Fact]
    public void Run_FirstLengthNotTheExperiments_ThrowsNamingIt()
    {
        var settings = ReviewsBudgetSettings.For(ExperimentProfile.Smoke) with { Lengths = [99] };
        var e = Assert.Throws<ArgumentException>(() => ReviewsBudgetStudy.Run(settings));
        Assert.Contains("MaxLength", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SmokeProfileTwice_ReportsEveryStepAndRepeatsTheCleaningRunAndRefits()
    {
        var settings = ReviewsBudgetSettings.For(ExperimentProfile.Smoke);
        var lines = new List<string>();
        var first = ReviewsBudgetStudy.Run(settings, new Collect(lines));
        Assert.Equal(ReviewsBudgetStudy.ProgressSteps(settings), lines.Count);
        Assert.Equal(settings.Lengths, first.Supervised.Select(s => s.MaxLength));
        Assert.All(first.Supervised, s => Assert.InRange(s.Reference.HeldOutAccuracy, 0, 1));
        Assert.True(first.LongRun.Final.Iteration > 0);
        Assert.Equal(["baby", "magazines", "software"], first.TestDomains);
        Assert.Equal(358, first.TestTweets);

        // Checkpoints at k = 0, 4, 8, 12 unless the run diverged; the refits take exactly RefitSteps steps per seed.
        Assert.Null(first.DivergedAt);
        Assert.Equal([0L, 4, 8, 12], first.Checkpoints.Select(c => c.Iteration));
        Assert.Equal(0, first.Checkpoints[0].LinearSystemNorm);
        Assert.True(first.Checkpoints[^1].LinearSystemNorm > 0);
        Assert.Equal(settings.Reviews.SeedList, first.Refits.Select(r => r.Seed));
        Assert.All(first.Refits, r => Assert.Equal(settings.RefitSteps, r.Steps));
        Assert.Equal(4, first.Claims.Count);
        Assert.All(first.Claims, c => Assert.False(string.IsNullOrWhiteSpace(c.Evidence)));

        // Iteration and step budgets (not seconds) make the cleaning run and the refits repeat to the bit.
        var second = ReviewsBudgetStudy.Run(settings);
        static object Values(CleaningCheckpoint c) => (c.Iteration, c.TestAccuracy, c.CleaningAuc, c.LinearSystemNorm);
        Assert.Equal(first.Checkpoints.Select(Values), second.Checkpoints.Select(Values));
        Assert.Equal(first.Refits, second.Refits);

        var directory = Path.Combine(Path.GetTempPath(), $"reviews-budget-{Guid.NewGuid():N}");
        try
        {
            var files = ReviewsBudgetResults.Write(first, directory);
            Assert.Equal(3, files.Count);
            Assert.All(files, f => Assert.True(File.Exists(f), f));
            Assert.Contains("\"divergedAt\"", File.ReadAllText(Path.Combine(directory, "summary.json")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(0.76, null, 0.62, 0.60, true, true)]
    [InlineData(0.70, 1300L, 0.60, 0.62, false, false)]
    public void Check_SyntheticReports_ClaimsFollowTheNumbers(double best, long? divergedAt, double cleaned, double uniform, bool reaches, bool finite)
    {
        var settings = ReviewsBudgetSettings.For(ExperimentProfile.Smoke);
        var rows = new List<TraceRow>
        {
            new(0, 0, 0, default, 1, 1, null, null, null, [0.55, 0.7, 0.5]),
            new(10, 10, 1, default, 1, 1, null, null, null, [best, 0.6, 0.5]),
            new(20, 20, 2, default, 1, 1, null, null, null, [0.60, 0.6, 0.5]),
        };
        var trace = new SolverTrace(SolverCatalog.Get("bo-rep").Info, "", "test", 0, ["test accuracy", "test loss", "train accuracy"], rows, StopReason.Seconds);
        var supervised = settings.Lengths.Select(l => new BudgetSupervised(l, new SupervisedReference(SupervisedData.TrainingDomains, 100, 10, 1, 0.77, 0.5, 0.8))).ToList();
        var checkpoints = new List<CleaningCheckpoint> { new(0, 0, 0.5, 0.5, 0), new(4, 1, 0.6, 0.69, 3.5) };
        var refits = new List<BudgetRefit> { new(0, 5, uniform, cleaned, 0.68, 0.67, 0.66) };
        var report = new ReviewsBudgetReport(settings, supervised, trace, checkpoints, divergedAt, refits, 100, ["baby"], 1);

        Assert.True(report.Claims[0].Holds);
        Assert.Equal(reaches, report.Claims[1].Holds);
        Assert.Contains(reaches ? "75% first at 1 s" : "75% never reached", report.Claims[1].Evidence, StringComparison.Ordinal);
        Assert.Equal((0.60, best, reaches ? 1.0 : (double?)null), report.LongRunAccuracy);
        Assert.Equal(finite, report.Claims[2].Holds);
        Assert.Equal(cleaned > uniform, report.Claims[3].Holds);
        Assert.Contains("cleaning AUC 0.69", report.Claims[3].Claim, StringComparison.Ordinal);
        Assert.Contains($"= {(cleaned > uniform ? "2" : "-2")} of 100 test tweets", report.Claims[3].Evidence, StringComparison.Ordinal);
    }

    private sealed class Collect(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
