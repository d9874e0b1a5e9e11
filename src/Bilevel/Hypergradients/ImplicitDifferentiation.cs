using System.Numerics.Tensors;
using Bilevel.LinearSolvers;
using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Hypergradients;

/// <summary>
/// Approximate implicit differentiation (AID): at the last iterate ŷ = y_T, solve ∇²yy g(x, ŷ) v = ∇y f(x, ŷ)
/// approximately with a linear-system solver, then ∇̂Φ = ∇x f(x, ŷ) − ∇²xy g(x, ŷ) v
/// (paper 002 eq. 3, Algorithm 1 AID variant; paper 000 Lemma 2 NS and CG cases).
/// With <see cref="ConjugateGradient"/> this is AID-CG, with <see cref="NeumannSeries"/> the NS estimator, with
/// <see cref="FixedPointIteration"/> AID-FP. A warm-starting solver continues from this instance's previous v.
/// Cost: 1 ∇x f + 1 ∇y f + the solver's HVPs + 1 cross product.
/// </summary>
public sealed class ImplicitDifferentiation : HypergradientMethod
{
    private LowerHessianOperator? _hessian;
    private double[] _gradientY = [];
    private double[] _v = [];
    private double[] _cross = [];

    public ImplicitDifferentiation(ILinearSystemSolver solver, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(solver);
        Solver = solver;
        Name = name ?? $"AID-{solver.Name}";
    }

    /// <summary>The linear-system solver for ∇²yy g v = ∇y f.</summary>
    public ILinearSystemSolver Solver { get; }

    public override string Name { get; }

    public override string CostFormula => $"1 ∇x f + 1 ∇y f + ({Solver.CostFormula}) + 1 cross";

    /// <summary>The last solution v of the linear system (the warm start of the next solve).</summary>
    public ReadOnlySpan<double> LinearSolution => _v;

    /// <summary>The result of the last linear solve.</summary>
    public LinearSolveResult LastSolve { get; private set; }

    /// <summary>Forgets the warm-start state.</summary>
    public void Reset() => Array.Clear(_v);

    protected override void EstimateCore(BilevelProblem problem, ReadOnlySpan<double> x, LowerTrajectory trajectory, Span<double> hypergradient, Batch batch)
    {
        var y = trajectory.Last;
        Evaluate(problem, x, y, hypergradient, batch);
    }

    /// <summary>The AID estimate at an explicit lower point ŷ.</summary>
    internal void Evaluate(BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> hypergradient, Batch batch)
    {
        var dy = problem.LowerDimension;
        var dx = problem.UpperDimension;
        if (_v.Length != dy)
        {
            // A new lower dimension: the previous warm start means nothing here.
            _v = new double[dy];
        }

        Scratch.Ensure(ref _gradientY, dy);
        Scratch.Ensure(ref _cross, dx);
        if (_hessian is null || !ReferenceEquals(_hessian.Problem, problem))
        {
            _hessian = new LowerHessianOperator(problem);
        }

        var gradientY = _gradientY.AsSpan(0, dy);
        problem.UpperGradients(x, y, hypergradient, gradientY, batch);
        LastSolve = Solver.Solve(_hessian.Bind(x, y, batch), gradientY, _v);
        var cross = _cross.AsSpan(0, dx);
        problem.LowerCrossProduct(x, y, _v, cross, batch);
        TensorPrimitives.Subtract(hypergradient, cross, hypergradient);
    }
}
