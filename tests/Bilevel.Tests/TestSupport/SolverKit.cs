using Bilevel.Problems;
using Bilevel.Solvers;

namespace Bilevel.Tests.TestSupport;

/// <summary>Helpers for solver tests: the finite-sum check problem, running one iteration at a time, counting.</summary>
public static class SolverKit
{
    /// <summary>The finite-sum quadratic of issue 6 (dx = 10, dy = 20, κ = 10, n = 200).</summary>
    public static FiniteSumQuadraticProblem CheckProblem() => ProblemCatalog.CreateSolverCheckProblem();

    /// <summary>Runs a descriptor's convergence check; returns ‖∇Φ(x_final)‖ / ‖∇Φ(x₀)‖ and the trace.</summary>
    public static (double Ratio, Bilevel.Traces.SolverTrace Trace) RunConvergenceCheck(SolverDescriptor descriptor, int seed = 0)
    {
        var problem = CheckProblem();
        var solver = descriptor.Create(descriptor.ConvergenceCheck.Settings);
        var trace = SolverRunner.Run(solver, problem, new RunSettings(descriptor.ConvergenceCheck.Budget, seed) { Schedule = EvaluationSchedule.Logarithmic(5) });
        var first = trace.Rows[0].HypergradientNorm!.Value;
        return (trace.Final.HypergradientNorm!.Value / first, trace);
    }

    /// <summary>
    /// Oracle calls of each of the first <paramref name="iterations"/> iterations of <paramref name="solver"/> on
    /// <paramref name="problem"/> from zeros (Start's own calls are reported separately).
    /// </summary>
    public static (OracleCounts Start, OracleCounts[] PerIteration) CountIterations(BilevelSolver solver, BilevelProblem problem, int iterations, int seed = 0)
    {
        var before = problem.Counter.Snapshot();
        var state = solver.Start(problem, new double[problem.UpperDimension], new double[problem.LowerDimension], seed);
        var start = problem.Counter.Snapshot() - before;
        var counts = new OracleCounts[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var at = problem.Counter.Snapshot();
            solver.Iterate(state);
            counts[i] = problem.Counter.Snapshot() - at;
        }

        return (start, counts);
    }

    /// <summary>Counts without time, for equality checks.</summary>
    public static OracleCounts WithoutTime(this OracleCounts counts) => counts with { OracleTicks = 0 };

    /// <summary>Expected per-iteration counts from the named oracle numbers (everything else zero).</summary>
    public static OracleCounts Expected(long upperGradientsX = 0, long upperGradientsY = 0, long lowerGradientsX = 0, long lowerGradientsY = 0,
        long hvps = 0, long crossProducts = 0, long upperValues = 0, long lowerValues = 0, long upperSamples = 0, long lowerSamples = 0) =>
        new(upperValues, lowerValues, upperGradientsX, upperGradientsY, lowerGradientsX, lowerGradientsY, hvps, crossProducts, upperSamples, lowerSamples, 0);

    /// <summary>Asserts that iteration counts equal <paramref name="expected"/>, ignoring sample counts when <paramref name="samples"/> is false.</summary>
    public static void AssertCounts(OracleCounts expected, OracleCounts actual, string what, bool samples = false)
    {
        var a = actual.WithoutTime();
        if (!samples)
        {
            a = a with { UpperSamples = 0, LowerSamples = 0 };
        }

        Assert.True(expected == a, $"{what}: expected {Describe(expected)}, got {Describe(a)}");
    }

    private static string Describe(OracleCounts c) =>
        $"∇xf {c.UpperGradientsX}, ∇yf {c.UpperGradientsY}, ∇xg {c.LowerGradientsX}, ∇yg {c.LowerGradientsY}, HVP {c.Hvps}, cross {c.CrossProducts}, f {c.UpperValues}, g {c.LowerValues}, samples {c.UpperSamples}/{c.LowerSamples}";
}
