using Bilevel.Experiments;
using Bilevel.Experiments.Reviews;
using Bilevel.Interactive;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper004;
using Bilevel.Traces;

namespace Bilevel.Tests.Experiments.Reviews;

/// <summary>Notebook 04's settings, claims helpers and one whole smoke-profile run.</summary>
public sealed class ReviewsExperimentTests
{
    [Theory]
    [InlineData(ExperimentProfile.Smoke)]
    [InlineData(ExperimentProfile.Default)]
    [InlineData(ExperimentProfile.Paper)]
    public void Methods_EveryProfileAndTask_EverySettingBuildsItsSolver(ExperimentProfile profile)
    {
        var settings = ReviewsSettings.For(profile);
        foreach (var task in Enum.GetValues<ReviewTaskKind>())
        {
            var methods = settings.Methods(task);
            var saba = profile != ExperimentProfile.Paper ? 1 : 0;
            Assert.Equal((task == ReviewTaskKind.HyperRepresentation ? 8 : 6) + saba, methods.Count);
            foreach (var method in methods.Append(settings.BoRep(task, period: 12, lowerSteps: 16, lowerRate: 5e-3)))
            {
                Assert.Equal(method.Solver, method.CreateSolver().Info.Name);
            }
        }
    }

    [Theory]
    [InlineData(ExperimentProfile.Smoke)]
    [InlineData(ExperimentProfile.Default)]
    [InlineData(ExperimentProfile.Paper)]
    public void AblationSeconds_EveryProfile_EqualsTheMainRunsBudgetWhoseSeed0TheAblationsReuse(ExperimentProfile profile)
    {
        var settings = ReviewsSettings.For(profile);
        Assert.Equal(settings.Seconds, settings.AblationSeconds);
    }

    [Theory]
    [InlineData(ExperimentProfile.Smoke, 10, 30)]
    [InlineData(ExperimentProfile.Default, 2000, 6000)]
    [InlineData(ExperimentProfile.Paper, 8000, 8000)]
    public void ReferenceSteps_EveryProfile_FixedCountsForTheReferences(ExperimentProfile profile, long cleaning, long supervised)
    {
        var settings = ReviewsSettings.For(profile);
        Assert.Equal(cleaning, settings.ReferenceSteps);
        Assert.Equal(supervised, settings.SupervisedSteps);
    }

    [Fact]
    public void EpochsPerIteration_DefaultProfile_OneBatchOverTheTrainingData()
    {
        var settings = ReviewsSettings.For(ExperimentProfile.Default);
        Assert.Equal(20 / 60.0, ReviewsFigures.EpochsPerIteration(settings, ReviewTaskKind.HyperRepresentation), 15);
        Assert.Equal(64 / 2000.0, ReviewsFigures.EpochsPerIteration(settings, ReviewTaskKind.Hyperparameter), 15);
        Assert.Equal(512 / 2000.0, ReviewsFigures.EpochsPerIteration(settings, ReviewTaskKind.HyperCleaning), 15);
    }

    [Fact]
    public void BoRep_PaperSettings_PeriodStepsRadiusAndHeadScaling()
    {
        var settings = ReviewsSettings.For(ExperimentProfile.Paper);
        Assert.Equal((4096, 20, 8000L), (settings.HiddenSize, settings.MetaBatch, settings.Iterations));
        Assert.Equal([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], settings.Radii);
        var hr = (BoRep)settings.BoRep(ReviewTaskKind.HyperRepresentation).CreateSolver();
        var options = (BoRepOptions)hr.OptionsValue;
        Assert.Equal((2, 3, 0.5, 0.9), (options.Period, options.LowerSteps, options.Radius, options.Momentum));
        Assert.Equal(0.001 * 20, options.LowerStep.At(0), 12); // F.1's γ = 0.001 per head, × |B| for eq. (3)'s mean over tasks
        Assert.Equal(0.01, options.UpperStep.At(0), 12);
        var hpo = (BoRepOptions)settings.BoRep(ReviewTaskKind.Hyperparameter).CreateSolver().OptionsValue;
        Assert.Equal((0.001, 1e-4), (hpo.LowerStep.At(0), hpo.UpperStep.At(0)));
        Assert.Equal(64, hpo.UpperBatchSize);
        var hc = (BoRepOptions)settings.BoRep(ReviewTaskKind.HyperCleaning).CreateSolver().OptionsValue;
        Assert.Equal((0.05, 0.05, 0.05, 512), (hc.LowerStep.At(0), hc.UpperStep.At(0), hc.LinearSystemStep.At(0), hc.LowerBatchSize));
    }

    [Fact]
    public void SabaMemoryBytes_DefaultAndPaper_FitsThenExceedsTheLimit()
    {
        var standard = ReviewsSettings.For(ExperimentProfile.Default);
        // H = 32, D = 50: encoder 32·50 + 3·32² + 4·32 = 4800, classifier 4866; 2000 training reviews, 500 validation.
        Assert.Equal(8L * ((2000 * ((2 * 4866) + 1)) + (500 * (1 + 4866))), standard.SabaMemoryBytes(ReviewTaskKind.Hyperparameter));
        Assert.True(standard.SabaMemoryBytes(ReviewTaskKind.HyperCleaning) < ReviewsSettings.SabaMemoryLimit);
        var paper = ReviewsSettings.For(ExperimentProfile.Paper);
        Assert.True(paper.SabaMemoryBytes(ReviewTaskKind.Hyperparameter) > ReviewsSettings.SabaMemoryLimit);
        Assert.True(paper.SabaMemoryBytes(ReviewTaskKind.HyperRepresentation) > ReviewsSettings.SabaMemoryLimit);
    }

    [Fact]
    public void LinearFit_ExactLineAndNoise_SlopeInterceptCorrelation()
    {
        var (slope, intercept, correlation) = ReviewsClaims.LinearFit([1, 2, 3, 4], [3, 5, 7, 9]);
        Assert.Equal((2.0, 1.0, 1.0), (Math.Round(slope, 12), Math.Round(intercept, 12), Math.Round(correlation, 12)));
        var (_, _, flat) = ReviewsClaims.LinearFit([1, 2, 3, 4], [1, -1, 1, -1]);
        Assert.True(flat < 0.5);
    }

    [Fact]
    public void Run_SmokeProfile_ReportsEveryStepChecksClaimsAndWritesResults()
    {
        var settings = ReviewsSettings.For(ExperimentProfile.Smoke);
        var lines = new List<string>();
        var report = ReviewsExperiment.Run(settings, new Collect(lines));
        Assert.Equal(ReviewsExperiment.ProgressSteps(settings), lines.Count);
        Assert.Equal(9 + 7 + (2 * 7), report.Runs.Count(r => r.Group is null));
        Assert.Equal(["baby", "magazines", "software"], report.TestDomains);
        Assert.Equal(settings.Radii.Count, report.Group("radius").Count);
        Assert.Equal(3, report.Group("large period").Count);
        Assert.Equal(3, report.Group("100-d").Count);
        Assert.Equal(settings.SmoothnessIterations, report.Smoothness.Count);
        Assert.All(report.Runs, r => Assert.InRange(r.TestAccuracy, 0, 1));
        Assert.Contains(report.Claims, c => c.Claim.Contains("Table 3", StringComparison.Ordinal));

        // A 0.12-second smoke run may end before its first lower update (iteration 2), which leaves no fraction.
        Assert.All(report.Group("radius"), r => Assert.InRange(r.ProjectedFraction ?? 0, 0, 1));
        Assert.All(report.Runs.Where(r => r.Method.Solver != "bo-rep"), r => Assert.Null(r.ProjectedFraction));
        Assert.Contains(report.Claims, c => c.Claim.Contains("App. G", StringComparison.Ordinal));
        Assert.Contains(report.Claims, c => c.Claim.Contains("uncleaned", StringComparison.Ordinal) && c.Evidence.Contains("clean subset", StringComparison.Ordinal) && c.Evidence.Contains("cleaning AUC", StringComparison.Ordinal));
        Assert.Contains(report.Claims, c => c.Claim.Contains("≥ 75%", StringComparison.Ordinal) && c.Evidence.Contains("supervised encoder on the training domains", StringComparison.Ordinal));
        Assert.Equal(2 * 2 * settings.Seeds, report.Baselines.Count);
        Assert.Equal(report.Baselines.Count / 2, report.Baselines.Count(b => b.CleanOnly));
        Assert.All(report.Baselines, b => Assert.Null(b.WeightsFrom));
        Assert.All(report.Baselines.Concat(report.Refits), b => Assert.Equal(settings.ReferenceSteps, b.Steps));

        // Cleaned models: per rate, BO-REP's and one baseline's learned weights, refitted seed by seed.
        Assert.Equal(2 * 2 * settings.Seeds, report.Refits.Count);
        foreach (var rate in settings.CleaningRates)
        {
            var from = report.Refits.Where(b => b.CorruptionRate == rate).Select(b => b.WeightsFrom).Distinct().ToList();
            Assert.Equal(2, from.Count);
            Assert.Contains("BO-REP", from);
        }

        Assert.Contains(report.Claims, c => c.Claim.Contains("uncleaned", StringComparison.Ordinal) && c.Evidence.StartsWith("cleaned model (SGD as the uniform reference", StringComparison.Ordinal));
        Assert.Equal(358, report.TestTweets);
        var uncleanedClaim = report.Claims.Single(c => c.Claim.Contains("uncleaned", StringComparison.Ordinal));
        Assert.Contains(" of 358 test tweets (standard error of one accuracy ", uncleanedClaim.Evidence, StringComparison.Ordinal);
        Assert.Equal([SupervisedData.Pool, SupervisedData.TrainingDomains], report.Supervised.Select(s => s.Data));
        Assert.Equal(["pool", "training domains"], report.Supervised.Select(s => s.DataName));
        Assert.Equal(settings.PoolTasks * 40, report.Supervised[0].Reviews);
        Assert.True(report.Supervised[1].Reviews > report.Supervised[0].Reviews);
        Assert.All(report.Supervised, s =>
        {
            Assert.Equal(settings.SupervisedSteps, s.Steps);
            Assert.InRange(s.BestSteps, 1, s.Steps);
            Assert.InRange(s.HeldOutAccuracy, 0, 1);
            Assert.InRange(s.SameDomainAccuracy, 0, 1);
        });
        Assert.Equal(3, ReviewsFigures.Supervised(report).Rows.Count);
        Assert.All(report.Claims, c => Assert.False(string.IsNullOrWhiteSpace(c.Evidence)));
        var directory = Path.Combine(Path.GetTempPath(), $"reviews-{Guid.NewGuid():N}");
        try
        {
            var files = ReviewsResults.Write(report, directory);
            Assert.All(files, f => Assert.True(File.Exists(f), f));
            Assert.Contains(files, f => f.EndsWith("summary.json", StringComparison.Ordinal));
            Assert.Equal(9, Directory.GetFiles(Path.Combine(directory, "figures")).Length);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(0.59166666666666667, true)] // 355 / 600 against 349 / 600: exactly one point
    [InlineData(0.59333333333333333, false)] // 356 / 600: 1.17 points
    public void Check_RadiusSpreadOfExactlyOnePoint_CountsAsFlat(double largest, bool flat)
    {
        var settings = ReviewsSettings.For(ExperimentProfile.Smoke);
        var runs = new List<ReviewRun>();
        foreach (var (radius, accuracy) in new[] { (0.001, 0.50), (0.5, 349 / 600.0), (1.0, largest), (5.0, 0.585) })
        {
            var rows = new List<TraceRow> { new(0, 0, 0, default, 1, 1, null, null, null, [accuracy, 0.6, 0.5]) };
            var trace = new SolverTrace(SolverCatalog.Get("bo-rep").Info, "", "test", 0, ["test accuracy", "test loss", "train accuracy"], rows, StopReason.Seconds)
            {
                // 30 lower steps; the ball binds in 15 of them at R = 0.001 only; the largest step before projection 0.004.
                Diagnostics = new Dictionary<string, double>
                {
                    [BoRep.LowerUpdateStepsName] = 30,
                    [BoRep.ProjectedStepsName] = radius < 0.004 ? 15 : 0,
                    [BoRep.LargestDisplacementName] = radius < 0.004 ? 0.004 : 0.003,
                },
            };
            runs.Add(new ReviewRun(ReviewTaskKind.HyperRepresentation, "reviews", 0, new ExperimentMethod($"BO-REP R={radius}", "bo-rep", []), [trace], "radius", radius));
        }

        var report = new ReviewsReport(settings, [], runs, [], [], [], [], [], 1);
        var claim = report.Claims.Single(c => c.Claim.Contains("flat from R = 0.5", StringComparison.Ordinal));
        Assert.Equal(flat, claim.Holds);
        Assert.Contains("lower steps the projection moved: R = 0.001: 50 %, R = 0.5: 0 %, R = 1: 0 %, R = 5: 0 %; largest step displacement before projection 0.004", claim.Evidence, StringComparison.Ordinal);
        Assert.True(report.Claims.Single(c => c.Claim.Contains("collapses", StringComparison.Ordinal)).Holds);
    }

    private sealed class Collect(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
