using Bilevel.Problems;

namespace Bilevel.LinearSolvers;

/// <summary>
/// The lower-level Hessian v ↦ ∇²yy g(x, y) · v of a problem at a bound point, as a linear operator; every
/// application is one counted HVP oracle call.
/// </summary>
public sealed class LowerHessianOperator : ILinearOperator
{
    private readonly BilevelProblem _problem;
    private readonly double[] _x;
    private readonly double[] _y;
    private Batch _batch;

    public LowerHessianOperator(BilevelProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        _problem = problem;
        _x = new double[problem.UpperDimension];
        _y = new double[problem.LowerDimension];
    }

    public int Dimension => _problem.LowerDimension;

    /// <summary>The problem whose Hessian this operator applies.</summary>
    public BilevelProblem Problem => _problem;

    /// <summary>Binds the operator to the point (x, y) and batch (copies x and y).</summary>
    public LowerHessianOperator Bind(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch = default)
    {
        x.CopyTo(_x);
        y.CopyTo(_y);
        _batch = batch;
        return this;
    }

    public void Apply(ReadOnlySpan<double> v, Span<double> result) => _problem.LowerHvp(_x, _y, v, result, _batch);
}
