using System.Numerics.Tensors;
using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Hypergradients;

/// <summary>
/// FSLA's forward recursion (paper 000 eq. 9): along the lower iterates y_1 … y_T,
/// v_k = β ∇y f(x, y_k) + (I − β ∇²yy g(x, y_k)) v_{k−1} from v_0 = 0, and
/// ∇̂Φ = ∇x f(x, y_T) − ∇²xy g(x, y_T) v_T (the forward mode of Lemma 2 with p_k = ∇y f(x, y_k), β_k = β).
/// </summary>
/// <remarks>
/// v is a persistent state advanced once per new iterate, so a new estimate costs O(1) oracle calls whatever T is
/// (<see cref="Advance"/>, <see cref="Current"/>), where NS, CG and ITD must start over: this is the paper's
/// "O(1) matrix-vector queries for every K". From scratch over T steps:
/// T ∇y f + (T − 1) HVP (the product with v_0 = 0 is skipped) + 1 ∇x f + 1 cross.
/// Which iterate the update reads is a choice: Eq. 9/10 use the new iterate y_k, Algorithm 1 line 7 the previous
/// one; this estimator follows Eq. 9 (the FSLA solver documents its own choice).
/// </remarks>
public sealed class ForwardRecursion : HypergradientMethod
{
    private double[] _v = [];
    private double[] _gradientY = [];
    private double[] _hvp = [];
    private double[] _cross = [];
    private bool _isZero = true;

    /// <param name="step">β of eq. 9, with β · λ_max(∇²yy g) &lt; 1.</param>
    public ForwardRecursion(double step)
    {
        if (!(step > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "β must be positive");
        }

        Step = step;
    }

    /// <summary>β.</summary>
    public double Step { get; }

    public override string Name => "FSLA";

    public override bool NeedsHistory => true;

    public override string CostFormula => "T ∇y f + (T − 1) HVP + 1 ∇x f + 1 cross; O(1) per new iterate";

    /// <summary>The current v_k.</summary>
    public ReadOnlySpan<double> State => _v;

    /// <summary>Sets v back to 0.</summary>
    public void Reset(int lowerDimension)
    {
        if (_v.Length != lowerDimension)
        {
            _v = new double[lowerDimension];
        }
        else
        {
            Array.Clear(_v);
        }

        _isZero = true;
    }

    /// <summary>One step of eq. 9 at the new iterate y: v ← β ∇y f(x, y) + (I − β ∇²yy g(x, y)) v.</summary>
    public void Advance(BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var dy = problem.LowerDimension;
        if (_v.Length != dy)
        {
            Reset(dy);
        }

        Scratch.Ensure(ref _gradientY, dy);
        Scratch.Ensure(ref _hvp, dy);
        var gradientY = _gradientY.AsSpan(0, dy);
        if (!_isZero)
        {
            var hvp = _hvp.AsSpan(0, dy);
            problem.LowerHvp(x, y, _v, hvp, batch);
            Vectors.Axpy(-Step, hvp, _v);
        }

        problem.UpperGradientY(x, y, gradientY, batch);
        Vectors.Axpy(Step, gradientY, _v);
        _isZero = false;
    }

    /// <summary>The estimate from the current v at y: ∇x f(x, y) − ∇²xy g(x, y) v.</summary>
    public void Current(BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> hypergradient, Batch batch = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        problem.UpperGradientX(x, y, hypergradient, batch);
        if (_isZero)
        {
            return;
        }

        Scratch.Ensure(ref _cross, problem.UpperDimension);
        var cross = _cross.AsSpan(0, problem.UpperDimension);
        problem.LowerCrossProduct(x, y, _v, cross, batch);
        TensorPrimitives.Subtract(hypergradient, cross, hypergradient);
    }

    protected override void EstimateCore(BilevelProblem problem, ReadOnlySpan<double> x, LowerTrajectory trajectory, Span<double> hypergradient, Batch batch)
    {
        Reset(problem.LowerDimension);
        for (var k = 1; k <= trajectory.Steps; k++)
        {
            Advance(problem, x, trajectory.Iterate(k), batch);
        }

        Current(problem, x, trajectory.Last, hypergradient, batch);
    }
}
