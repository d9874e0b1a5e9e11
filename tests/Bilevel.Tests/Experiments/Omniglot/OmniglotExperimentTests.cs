using Bilevel.Experiments.Omniglot;
using Bilevel.Interactive;
using Bilevel.Problems.HyperRepresentation;
using Bilevel.Solvers;
using Bilevel.Traces;

namespace Bilevel.Tests.Experiments.Omniglot;

public sealed class OmniglotExperimentTests
{
    [Theory]
    [InlineData(ExperimentProfile.Smoke)]
    [InlineData(ExperimentProfile.Default)]
    [InlineData(ExperimentProfile.Paper)]
    public void Methods_EveryProfile_EverySettingBuildsItsSolver(ExperimentProfile profile)
    {
        var settings = OmniglotSettings.For(profile);
        foreach (var method in OmniglotSettings.Paper001Methods(0.1, literal: true).Concat(OmniglotSettings.Paper002Methods()).Concat(OmniglotSettings.RobustnessMethods().Select(r => r.Method)))
        {
            Assert.Equal(method.Method.Solver, method.Method.CreateSolver().Info.Name);
        }

        Assert.Contains(OmniglotSettings.Paper002Shape, settings.AllShapes());
    }

    [Fact]
    public void For_DefaultProfile_MeetsTheIssueBounds()
    {
        var settings = OmniglotSettings.For(ExperimentProfile.Default);
        Assert.True(settings.TestEpisodes >= 500);
        var seconds = (settings.Paper001Shapes.Count * OmniglotSettings.Paper001Methods(literal: true).Count * settings.Paper001Seconds)
            + (OmniglotSettings.Paper002Methods().Count * settings.Paper002Seconds) + (OmniglotSettings.RobustnessMethods().Count * settings.RobustnessSeconds);
        Assert.True(seconds <= 20 * 60, $"{seconds} solver seconds leave no room for evaluation within 25 minutes");
    }

    private static OmniglotRun Run(OmniglotSection section, string label, string solver, double test, IReadOnlyList<double> monitor, double seconds = 10, long iterations = 10,
        int? steps = null, FewShotShape? shape = null)
    {
        var rows = new List<TraceRow>();
        for (var i = 0; i < monitor.Count; i++)
        {
            var fraction = monitor.Count == 1 ? 1.0 : i / (double)(monitor.Count - 1);
            rows.Add(new((long)(fraction * iterations), (long)(fraction * iterations), fraction * seconds, default, 1, 1, null, null, null, [monitor[i], monitor[i], monitor[i]]));
        }

        var trace = new SolverTrace(SolverCatalog.Get(solver).Info, "", "test", 0, ["query accuracy", "support accuracy", "meta-test accuracy"], rows, StopReason.Seconds);
        var accuracy = FewShotAccuracy.FromTasks([test - 0.01, test, test + 0.01]);
        return new OmniglotRun(section, shape ?? OmniglotSettings.Paper002Shape, new(new(label, solver, [])), trace, accuracy, null, steps);
    }

    private static OmniglotReport Report(params OmniglotRun[] runs) =>
        new(OmniglotSettings.For(ExperimentProfile.Smoke) with { Paper001Shapes = [OmniglotSettings.Paper002Shape], Paper002Seconds = 10 }, "data", runs,
            new Dictionary<string, FewShotAccuracy> { ["5-way 5-shot"] = FewShotAccuracy.FromTasks([0.5, 0.52, 0.54]) }, FewShotAccuracy.FromTasks([0.1]), [new(OmniglotSettings.Paper002Shape, 2.0, 0.4)], 1);

    [Fact]
    public void Check_PapersClaimsTrue_EveryClaimHolds()
    {
        var report = Report(
            Run(OmniglotSection.Paper001, "HF-SES-ITDM Q=1", "hf-ses-itdm", 0.85, [0.5, 0.8], seconds: 10, iterations: 100),
            Run(OmniglotSection.Paper001, "SES-ITDM", "ses-itdm", 0.80, [0.5, 0.7], seconds: 10, iterations: 5),
            Run(OmniglotSection.Paper001, "ESJ Q=50", "esj", 0.84, [0.5, 0.8], seconds: 10, iterations: 20),
            Run(OmniglotSection.Paper001, "HOZOG Q=50", "hozog", 0.70, [0.5, 0.6]),
            Run(OmniglotSection.Paper002, "AID-BiO-constant", "aid-bio", 0.90, [0.5, 0.85, 0.9]),
            Run(OmniglotSection.Paper002, "AID-BiO-increasing", "aid-bio", 0.88, [0.5, 0.7, 0.88]),
            Run(OmniglotSection.Paper002, "ITD-BiO", "itd-bio", 0.86, [0.5, 0.8, 0.86]),
            Run(OmniglotSection.Paper002, "MAML", "maml", 0.80, [0.5, 0.7, 0.8]),
            Run(OmniglotSection.Paper002, "ANIL", "anil", 0.82, [0.5, 0.7, 0.82]),
            Run(OmniglotSection.Robustness, "ITD-BiO T=10", "itd-bio", 0.85, [0.5, 0.8, 0.84], steps: 10),
            Run(OmniglotSection.Robustness, "ANIL T=10", "anil", 0.6, [0.5, 0.8, 0.6], steps: 10));
        Assert.All(report.Claims, c => Assert.True(c.Holds, c.Claim + " — " + c.Evidence));
        Assert.Equal(12, report.Claims.Count);
    }

    [Fact]
    public void Check_HessianFreeDivergedAndBelowChanceBound_ReportedAsNotHolding()
    {
        var report = Report(
            Run(OmniglotSection.Paper001, "HF-SES-ITDM Q=1", "hf-ses-itdm", 0, [0.5, 0], seconds: 1, iterations: 6),
            Run(OmniglotSection.Paper001, "ESJ Q=50", "esj", 0.6, [0.5, 0.6]),
            Run(OmniglotSection.Paper001, "HOZOG Q=50", "hozog", 0.55, [0.5, 0.55]),
            Run(OmniglotSection.Robustness, "ITD-BiO T=20", "itd-bio", 0.6, [0.5, 0.8, 0.6], steps: 20),
            Run(OmniglotSection.Robustness, "ANIL T=20", "anil", 0.8, [0.5, 0.8, 0.8], steps: 20));
        Assert.False(report.Claims.Single(c => c.Claim.Contains("reaches ESJ", StringComparison.Ordinal)).Holds);
        Assert.False(report.Claims.Single(c => c.Claim.Contains("still trails", StringComparison.Ordinal)).Holds);
        Assert.False(report.Claims.Single(c => c.Claim.Contains("ITD-BiO converges stably", StringComparison.Ordinal)).Holds);
        Assert.False(report.Claims.Single(c => c.Claim.Contains("ANIL degrades", StringComparison.Ordinal)).Holds);
        Assert.False(report.Claims.Single(c => c.Claim.Contains("≥ 80%", StringComparison.Ordinal)).Holds);
        Assert.False(report.Claims.Single(c => c.Claim.Contains("far below", StringComparison.Ordinal)).Holds);
    }

    [Fact]
    public void MetricAt_BetweenEvaluations_ReturnsTheLastOneBefore()
    {
        var run = Run(OmniglotSection.Paper002, "ITD-BiO", "itd-bio", 0.8, [0.2, 0.4, 0.6], seconds: 10);
        Assert.Equal(0.4, run.MetricAt(OmniglotExperiment.MetaTest, 7));
        Assert.True(double.IsNaN(run.MetricAt(OmniglotExperiment.MetaTest, -1)));
        Assert.Equal(0.6, run.PeakMetric(OmniglotExperiment.MetaTest));
    }

    [Fact]
    public void Run_SmokeProfileTwoMethods_TracesScoresAndWritesResults()
    {
        var settings = OmniglotSettings.For(ExperimentProfile.Smoke) with { Only = ["AID-BiO-constant", "anil"], TestEpisodes = 10, MonitorEpisodes = 3 };
        var lines = new List<string>();
        var report = OmniglotExperiment.Run(settings, new SynchronousProgress(lines.Add));

        Assert.Equal(2, report.Runs.Count);
        Assert.Equal(OmniglotExperiment.ProgressSteps(settings), lines.Count);
        foreach (var run in report.Runs)
        {
            Assert.Equal(10, run.Test.PerTask.Count);
            Assert.InRange(run.Test.Mean, 0, 1);
            Assert.NotNull(run.OneShot);
            Assert.True(run.Iterations > 0);
            Assert.All(run.Trace.Values(TraceQuantity.Metric, OmniglotExperiment.MetaTest), a => Assert.InRange(a, 0, 1));
        }

        // Same initialization for every method: the first monitor point is the untrained network's, equal across runs.
        Assert.Equal(report.Runs[0].Trace.Rows[0].Metrics[2], report.Runs[1].Trace.Rows[0].Metrics[2]);
        Assert.NotEmpty(OmniglotFigures.Paper002(report).Traces);
        Assert.Equal(report.Runs.Count + report.RandomFeatures.Count, OmniglotFigures.Table(report).Rows.Count);

        var folder = Path.Combine(Path.GetTempPath(), "bilevel-omniglot-results-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = OmniglotFigures.Write(report, folder);
            Assert.Contains(files, f => f.EndsWith("summary.json", StringComparison.Ordinal));
            Assert.Equal(2, Directory.GetFiles(Path.Combine(folder, "traces")).Length);
            Assert.Equal(4, Directory.GetFiles(Path.Combine(folder, "figures")).Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
