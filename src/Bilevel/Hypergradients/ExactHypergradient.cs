using Bilevel.LinearSolvers;
using Bilevel.Problems;

namespace Bilevel.Hypergradients;

/// <summary>
/// The implicit-function-theorem hypergradient (paper 000 Proposition 1; paper 002 eq. 2) with a direct solve:
/// ∇Φ = ∇x f − ∇²xy g [∇²yy g]⁻¹ ∇y f at the exact lower solution y*(x) when the problem knows it
/// (<see cref="IExactBilevelProblem"/>), otherwise at the trajectory's last iterate. The Hessian is formed from dy
/// HVP oracle calls and factored by Cholesky, so this checks the oracles against the problem's closed form.
/// Cost: 1 ∇x f + 1 ∇y f + dy HVP + 1 cross.
/// </summary>
public sealed class ExactHypergradient : HypergradientMethod
{
    private readonly ImplicitDifferentiation _direct = new(new CholeskySolver(), "exact");
    private double[] _lowerSolution = [];

    public override string Name => "exact";

    public override string CostFormula => "1 ∇x f + 1 ∇y f + dy HVP + 1 cross";

    protected override void EstimateCore(BilevelProblem problem, ReadOnlySpan<double> x, LowerTrajectory trajectory, Span<double> hypergradient, Batch batch)
    {
        if (problem is IExactBilevelProblem exact)
        {
            if (_lowerSolution.Length != problem.LowerDimension)
            {
                _lowerSolution = new double[problem.LowerDimension];
            }

            exact.ExactLowerSolution(x, _lowerSolution);
            _direct.Evaluate(problem, x, _lowerSolution, hypergradient, batch);
        }
        else
        {
            _direct.Evaluate(problem, x, trajectory.Last, hypergradient, batch);
        }
    }
}
