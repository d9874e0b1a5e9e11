using Bilevel.Experiments.HyperCleaning;
using Bilevel.Interactive;

namespace Bilevel.Tests.Experiments.HyperCleaning;

public sealed class HyperCleaningSettingsTests
{
    [Theory]
    [InlineData(ExperimentProfile.Smoke)]
    [InlineData(ExperimentProfile.Default)]
    [InlineData(ExperimentProfile.Paper)]
    public void Methods_EveryProfile_EverySettingBuildsItsSolver(ExperimentProfile profile)
    {
        var settings = HyperCleaningSettings.For(profile);
        var steps = new HyperCleaningSteps(37, settings.UpperStep);
        var methods = HyperCleaningSettings.Paper002Methods(steps)
            .Concat(HyperCleaningSettings.Paper003Methods(steps))
            .Concat(HyperCleaningSettings.Paper003SingleLoopMethods(steps))
            .Concat(settings.LazyPeriods.Select(n => HyperCleaningSettings.LazyBlo(steps, n)))
            .Concat(settings.Paper000Methods())
            .Concat(settings.Paper000Ablations().Select(a => a.Method));
        foreach (var method in methods)
        {
            var solver = method.CreateSolver();
            Assert.Equal(method.Solver, solver.Info.Name);
        }
    }

    [Fact]
    public void For_Profiles_SeedsAndSizesGrow()
    {
        var smoke = HyperCleaningSettings.For(ExperimentProfile.Smoke);
        var standard = HyperCleaningSettings.For(ExperimentProfile.Default);
        var paper = HyperCleaningSettings.For(ExperimentProfile.Paper);
        Assert.Equal([1, 3, 10], new[] { smoke.Seeds, standard.Seeds, paper.Seeds });
        Assert.Equal(20_000, standard.LinearSizes.Train);
        Assert.Equal(5_000, paper.CnnSizes.Train);
        Assert.Equal(2000, paper.CnnIterations);
        Assert.Equal(64, paper.CnnFilters);
        Assert.Equal([0.1, 0.2, 0.4], standard.Paper002Rates);
    }

    [Theory]
    [InlineData(37.0, 0.027)]
    [InlineData(15.0, 0.066)]
    [InlineData(0.8, 1.2)]
    public void SafeStep_InverseSmoothness_RoundedDownToTwoDigits(double smoothness, double expected)
    {
        var steps = new HyperCleaningSteps(smoothness, 1000);
        Assert.Equal(expected, steps.SafeStep, 12);
        Assert.True(steps.SafeStep <= 1 / smoothness);
        Assert.Equal(Math.Min(0.5, expected), steps.Capped(0.5), 12);
    }

    [Fact]
    public void ProgressSteps_Smoke_CountsEveryRunAndFit()
    {
        var settings = HyperCleaningSettings.For(ExperimentProfile.Smoke);
        // 2 rates × 6 + 5 + 3 + 1 laziness + 1 rate + 3 MNIST = 25 linear runs; 6 CNN + 10 ablations; fits 2·3 + 6 + 8; spectrum 1.
        Assert.Equal(25 + 16 + 20 + 1, HyperCleaningExperiment.ProgressSteps(settings));
    }
}
