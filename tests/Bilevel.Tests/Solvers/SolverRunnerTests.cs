using Bilevel.Problems;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers;

public sealed class SolverRunnerTests
{
    private static AidBiO Aid() => new AidBiO(new AidBiOOptions(StepSize.Constant(0.09), StepSize.Constant(0.5), InnerSteps: 3, CgIterations: 2));

    [Fact]
    public void Run_HvpBudget_StopsOnceReached()
    {
        // AID-BiO with N = 2 costs 3 HVPs per iteration: "stop after 10 HVPs" ends after 4 iterations (12 HVPs).
        var trace = SolverRunner.Run(Aid(), SolverKit.CheckProblem(), new RunSettings(new RunBudget(1000) { Hvps = 10 }));
        Assert.Equal(StopReason.OracleBudget, trace.StopReason);
        Assert.Equal(4, trace.Final.Iteration);
        Assert.Equal(12, trace.Final.Counts.Hvps);
    }

    [Fact]
    public void Run_SolverWithoutDiagnostics_TraceHasNone()
    {
        var trace = SolverRunner.Run(Aid(), SolverKit.CheckProblem(), new RunSettings(new RunBudget(3)));
        Assert.Empty(trace.Diagnostics);
    }

    [Fact]
    public void Run_Evaluation_IsExcludedFromCounts()
    {
        var problem = SolverKit.CheckProblem();
        var trace = SolverRunner.Run(Aid(), problem, new RunSettings(new RunBudget(5)) { Schedule = EvaluationSchedule.Periodic(1) });
        Assert.Equal(6, trace.Rows.Count);
        // Per iteration: T = 3 ∇y g, 1 ∇y f, 1 ∇x f, N + 1 = 3 HVPs, 1 cross; no values (evaluation is not counted).
        var final = trace.Final.Counts;
        Assert.Equal(15, final.LowerGradientsY);
        Assert.Equal(5, final.UpperGradientsY);
        Assert.Equal(0, final.UpperValues + final.LowerValues);
        Assert.Equal(final.WithoutTime(), (problem.Counter.Snapshot() - default(OracleCounts)).WithoutTime() with { UpperValues = 0, LowerValues = 0 });
        Assert.All(trace.Rows, row => Assert.NotNull(row.HypergradientNorm));
    }

    [Fact]
    public void Run_BeforeIteration_CalledOncePerIterationBeforeTheStep()
    {
        var seen = new List<long>();
        var trace = SolverRunner.Run(Aid(), SolverKit.CheckProblem(), new RunSettings(new RunBudget(4))
        {
            BeforeIteration = state =>
            {
                seen.Add(state.Iteration);
                Array.Clear(state.Y);
            },
        });
        Assert.Equal([0, 1, 2, 3], seen);
        Assert.Equal(4, trace.Final.Iteration);
    }

    [Fact]
    public void Run_Cancelled_ReturnsTraceSoFar()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var trace = SolverRunner.Run(Aid(), SolverKit.CheckProblem(), new RunSettings(new RunBudget(100)), cancellationToken: cts.Token);
        Assert.Equal(StopReason.Cancelled, trace.StopReason);
        Assert.Single(trace.Rows);
    }

    [Fact]
    public void Run_DivergingSteps_StopsWithDiverged()
    {
        var solver = new AidBiO(new AidBiOOptions(StepSize.Constant(1.0), StepSize.Constant(1e3)));
        var trace = SolverRunner.Run(solver, SolverKit.CheckProblem(), new RunSettings(new RunBudget(100_000)));
        Assert.Equal(StopReason.Diverged, trace.StopReason);
    }

    [Fact]
    public void Run_WrongStartLength_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => SolverRunner.Run(Aid(), SolverKit.CheckProblem(), new RunSettings(new RunBudget(1)) { UpperStart = [1.0] }));
        Assert.Contains("upper start", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schedule_Logarithmic_IsSparseAndIncludesStart()
    {
        var due = Enumerable.Range(0, 1001).Where(i => EvaluationSchedule.Logarithmic(5).IsDue(i)).ToArray();
        Assert.Equal(0, due[0]);
        Assert.Contains(1000, due);
        Assert.InRange(due.Length, 12, 20);
    }

    [Fact]
    public void RunSeeds_ThreeSeeds_DifferOnlyWhereRandom()
    {
        var traces = SolverRunner.RunSeeds(Aid(), SolverKit.CheckProblem(), new RunSettings(new RunBudget(5)), [0, 1, 2]);
        Assert.Equal([0, 1, 2], traces.Select(t => t.Seed));
        // AID-BiO is deterministic: the seeds give the same numbers.
        Assert.Equal(traces[0].Final.UpperLoss, traces[2].Final.UpperLoss);
    }
}

/// <summary>The README's solver example, as written there.</summary>
public sealed class ReadmeSolverExampleTests
{
    [Fact]
    public void ReadmeExample_StocBiOThreeSeeds_ConvergesAndSaves()
    {
        var folder = Directory.CreateTempSubdirectory("bilevel-readme-");
        try
        {
            var problem = ProblemCatalog.CreateSolverCheckProblem();
            var stocBiO = SolverCatalog.Get("stocbio").Create([new("NeumannStep", "0.15"), new("OuterStep", "0.2/sqrt(t+10)"), new("LowerBatchSize", "32")]);
            var traces = SolverRunner.RunSeeds(stocBiO, problem, new RunSettings(new RunBudget(1000) { Hvps = 20_000 }), [0, 1, 2]);
            Bilevel.Traces.TraceFigures.Convergence([traces], Bilevel.Traces.TraceAxis.Hvps, Bilevel.Traces.TraceQuantity.HypergradientNorm).SaveHtml(Path.Combine(folder.FullName, "stocbio.html"));
            Bilevel.Traces.TraceCsv.Save(Path.Combine(folder.FullName, "stocbio.csv"), traces);
            Assert.All(traces, t => Assert.True(t.Final.HypergradientNorm < 0.1 * t.Rows[0].HypergradientNorm, $"seed {t.Seed}: {t.Final.HypergradientNorm} vs {t.Rows[0].HypergradientNorm}"));
            Assert.True(File.Exists(Path.Combine(folder.FullName, "stocbio.html")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
