using Bilevel.Hypergradients;
using Bilevel.LinearSolvers;
using Bilevel.Problems;

namespace Bilevel.Tests.TestSupport;

/// <summary>
/// The hypergradient estimators under test, by name, each set up for K inner steps of size η the way paper 000 §6.1
/// compares them: ITD/BP and ES-ITDM differentiate through the K steps, NS sums K terms (K − 1 HVPs), the fixed point
/// runs K iterations, FSLA runs its forward recursion along the K steps, AID-CG runs K CG iterations at y_K.
/// </summary>
public static class Estimators
{
    public const string Itd = "ITD";
    public const string Neumann = "NS";
    public const string FixedPoint = "FixedPoint";
    public const string Fsla = "FSLA";
    public const string JacobianRecursion = "ES-ITDM";
    public const string ConjugateGradient = "AID-CG";
    public const string Exact = "Exact";

    /// <summary>The six approximate estimators.</summary>
    public static readonly string[] Approximate = [Itd, Neumann, FixedPoint, Fsla, JacobianRecursion, ConjugateGradient];

    public static HypergradientMethod Create(string name, int k, double step) => name switch
    {
        Itd => new IterativeDifferentiation(),
        Neumann => new ImplicitDifferentiation(new NeumannSeries(new NeumannSeriesOptions(Math.Max(0, k - 1), step)), "NS"),
        FixedPoint => new ImplicitDifferentiation(new FixedPointIteration(new FixedPointOptions(k, step))),
        Fsla => new ForwardRecursion(step),
        JacobianRecursion => new Bilevel.Hypergradients.JacobianRecursion(),
        ConjugateGradient => new ImplicitDifferentiation(new Bilevel.LinearSolvers.ConjugateGradient(new ConjugateGradientOptions(k))),
        Exact => new ExactHypergradient(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown estimator"),
    };

    /// <summary>K steps of inner gradient descent from y_0 = 0, with history.</summary>
    public static LowerTrajectory Trajectory(BilevelProblem problem, double[] x, int steps, double step, Batch batch = default) =>
        InnerGradientDescent.Run(problem, x, new double[problem.LowerDimension], steps, step, keepHistory: true, batch);

    /// <summary>Runs the named estimator on K inner steps and returns the estimate and its counts (time zeroed).</summary>
    public static (double[] Estimate, OracleCounts Counts) Run(string name, BilevelProblem problem, double[] x, int k, double step, Batch batch = default)
    {
        var trajectory = Trajectory(problem, x, k, step, batch);
        var estimate = OracleChecks.Filled(problem.UpperDimension);
        var result = Create(name, k, step).Estimate(problem, x, trajectory, estimate, batch);
        return (estimate, result.Counts with { OracleTicks = 0 });
    }
}
