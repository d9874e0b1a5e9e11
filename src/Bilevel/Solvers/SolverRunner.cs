using System.Diagnostics;
using Bilevel.Problems;
using Bilevel.Traces;

namespace Bilevel.Solvers;

/// <summary>How to run a solver: the seed, the budget, when to evaluate, and the starting point (zeros when null).</summary>
/// <param name="Budget">When to stop.</param>
/// <param name="Seed">Seed of every random stream of the run.</param>
public sealed record RunSettings(RunBudget Budget, int Seed = 0)
{
    /// <summary>Which iterations are evaluated (default: about 20 log-spaced points per decade).</summary>
    public EvaluationSchedule Schedule { get; init; } = EvaluationSchedule.Logarithmic(20);

    /// <summary>x₀ (zeros when null).</summary>
    public IReadOnlyList<double>? UpperStart { get; init; }

    /// <summary>y₀ (zeros when null).</summary>
    public IReadOnlyList<double>? LowerStart { get; init; }

    /// <summary>
    /// Called before every iteration, inside the solver's clock (an experiment driver's per-step work that belongs to
    /// the method's cost, e.g. drawing a fresh meta-batch of tasks and resetting the task heads); null for none.
    /// </summary>
    public Action<SolverState>? BeforeIteration { get; init; }
}

/// <summary>Progress of a run, reported after each evaluation.</summary>
public readonly record struct RunProgress(string Solver, int Seed, long Iteration, long MaxIterations, double Seconds, double UpperLoss);

/// <summary>
/// Drives a <see cref="BilevelSolver"/>: starts it, steps it until the budget is spent (or the run is cancelled, or
/// the iterates stop being finite), and evaluates the schedule's iterations into a <see cref="SolverTrace"/>. Evaluation
/// (losses on the full data, exact ‖∇Φ‖ and ‖y − y*‖, problem metrics) is excluded from the solver's clock and
/// oracle counts, as benchmark suites do.
/// </summary>
public static class SolverRunner
{
    /// <summary>One run.</summary>
    /// <exception cref="OperationCanceledException">Never: a cancelled run returns its trace so far, with <see cref="StopReason.Cancelled"/>.</exception>
    public static SolverTrace Run(BilevelSolver solver, BilevelProblem problem, RunSettings settings,
        IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(solver);
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Budget.Validate();
        var x0 = Start(settings.UpperStart, problem.UpperDimension, "upper start x₀");
        var y0 = Start(settings.LowerStart, problem.LowerDimension, "lower start y₀");
        var metricNames = problem is ITracedProblem traced ? traced.MetricNames : [];
        var evaluator = new Evaluator(problem, metricNames.Count);
        var rows = new List<TraceRow>();

        var baseline = problem.Counter.Snapshot();
        var ticks = 0L;
        var begin = Stopwatch.GetTimestamp();
        var state = solver.Start(problem, x0, y0, settings.Seed);
        ticks += Stopwatch.GetTimestamp() - begin;

        StopReason reason;
        while (true)
        {
            var counts = problem.Counter.Snapshot() - baseline;
            var seconds = ticks / (double)Stopwatch.Frequency;
            if (!Numerics.Vectors.AllFinite(state.X) || !Numerics.Vectors.AllFinite(state.Y))
            {
                reason = StopReason.Diverged;
                break;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                reason = StopReason.Cancelled;
                break;
            }

            if (settings.Budget.Check(state.Iteration, seconds, counts) is { } stop)
            {
                reason = stop;
                break;
            }

            if (settings.Schedule.IsDue(state.Iteration))
            {
                rows.Add(evaluator.Evaluate(state, seconds, counts));
                progress?.Report(new RunProgress(solver.Info.DisplayName, settings.Seed, state.Iteration, settings.Budget.Iterations, seconds, rows[^1].UpperLoss));
            }

            var start = Stopwatch.GetTimestamp();
            try
            {
                settings.BeforeIteration?.Invoke(state);
                solver.Iterate(state);
            }
            catch (Exception e) when (e is InvalidOperationException or ArithmeticException && (!Numerics.Vectors.AllFinite(state.X) || !Numerics.Vectors.AllFinite(state.Y)))
            {
                // A diverging run can fail inside a building block (CG meets NaN curvature): that is divergence, not a bug.
                ticks += Stopwatch.GetTimestamp() - start;
                reason = StopReason.Diverged;
                break;
            }

            ticks += Stopwatch.GetTimestamp() - start;
        }

        if (rows.Count == 0 || rows[^1].Iteration != state.Iteration)
        {
            var seconds = ticks / (double)Stopwatch.Frequency;
            var counts = problem.Counter.Snapshot() - baseline;

            // A diverged state is not handed to the problem (its metrics may reject non-finite input): its row is NaN.
            rows.Add(reason == StopReason.Diverged ? Evaluator.NotFinite(state, seconds, counts, metricNames.Count) : evaluator.Evaluate(state, seconds, counts));
        }

        return new SolverTrace(solver.Info, solver.OptionsValue.ToString() ?? "", problem.Name, settings.Seed, metricNames, rows, reason)
        {
            FinalUpper = [.. state.X],
            FinalLower = [.. state.Y],
            Diagnostics = new Dictionary<string, double>(state.Diagnostics),
        };
    }

    /// <summary>One run per seed, in order (the problem's counters keep running; each trace counts its own calls).</summary>
    public static IReadOnlyList<SolverTrace> RunSeeds(BilevelSolver solver, BilevelProblem problem, RunSettings settings, IReadOnlyList<int> seeds,
        IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(settings);
        var traces = new List<SolverTrace>(seeds.Count);
        foreach (var seed in seeds)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            traces.Add(Run(solver, problem, settings with { Seed = seed }, progress, cancellationToken));
        }

        return traces;
    }

    private static double[] Start(IReadOnlyList<double>? start, int dimension, string name)
    {
        if (start is null)
        {
            return new double[dimension];
        }

        if (start.Count != dimension)
        {
            throw new ArgumentException($"the {name} has length {start.Count}, expected {dimension}");
        }

        return [.. start];
    }

    private sealed class Evaluator(BilevelProblem problem, int metricCount)
    {
        private readonly double[] _hypergradient = new double[problem.UpperDimension];
        private readonly double[] _lowerSolution = new double[problem.LowerDimension];

        public TraceRow Evaluate(SolverState state, double seconds, OracleCounts counts)
        {
            var before = problem.Counter.Snapshot();
            var upperLoss = problem.UpperValue(state.X, state.Y);
            var lowerLoss = problem.LowerValue(state.X, state.Y);
            double? hypergradientNorm = null, lowerError = null, objective = null;
            if (problem is IExactBilevelProblem exact)
            {
                exact.ExactHypergradient(state.X, _hypergradient);
                hypergradientNorm = Numerics.Vectors.Norm(_hypergradient);
                exact.ExactLowerSolution(state.X, _lowerSolution);
                lowerError = Numerics.Vectors.Distance(state.Y, _lowerSolution);
                objective = exact.ExactUpperObjective(state.X);
            }

            var metrics = new double[metricCount];
            if (problem is ITracedProblem traced)
            {
                traced.EvaluateMetrics(state.X, state.Y, metrics);
            }

            problem.Counter.Restore(before);
            return new TraceRow(state.Iteration, state.UpperSteps, seconds, counts, upperLoss, lowerLoss, hypergradientNorm, lowerError, objective, metrics);
        }

        /// <summary>The row of a state whose iterates are no longer finite: every value NaN.</summary>
        public static TraceRow NotFinite(SolverState state, double seconds, OracleCounts counts, int metricCount)
        {
            var metrics = new double[metricCount];
            Array.Fill(metrics, double.NaN);
            return new TraceRow(state.Iteration, state.UpperSteps, seconds, counts, double.NaN, double.NaN, null, null, null, metrics);
        }
    }
}
