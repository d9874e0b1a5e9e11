using System.Numerics.Tensors;
using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Hypergradients;

/// <summary>
/// FSLA's forward recursion (paper 000 eq. 9; the forward mode of Lemma 2 with p_k = ∇y f(x, y_k), β_k = β):
/// along the lower iterates y_0 … y_{T−1}, v_{k+1} = β ∇y f(x, y_k) + (I − β ∇²yy g(x, y_k)) v_k from v_0 = 0, and
/// ∇̂Φ = ∇x f(x, y_T) − ∇²xy g(x, y_T) v_T, i.e.
/// v_T = Σ_{k=0}^{T−1} β Π_{s=k+1}^{T−1} (I − β ∇²yy g(x, y_s)) ∇y f(x, y_k).
/// </summary>
/// <remarks>
/// v is a persistent state advanced once per new iterate, so a new estimate costs O(1) oracle calls whatever T is
/// (<see cref="Advance"/>, <see cref="Current"/>), where NS, CG and ITD must start over: this is the paper's
/// "O(1) matrix-vector queries for every K". From scratch over T steps:
/// T ∇y f + (T − 1) HVP (the product with v_0 = 0 is skipped) + 1 ∇x f + 1 cross.
/// Which iterate the update of v reads (paper 000 is ambiguous here): the display of Eq. 9/10 indexes it by the
/// new iterate, while Lemma 2's forward mode (which §6.1 says the experiment instantiates), its recursion Eq. 15,
/// the proof of Lemma 15 and Algorithm 1 line 7 all read the iterate before the step. This estimator follows
/// Lemma 2 and Algorithm 1: v_{k+1} is built at y_k, and the read-out is at y_T.
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

    public override string CostFormula => "T ∇y f + max(T − 1, 0) HVP + 1 ∇x f + 1 cross (none at T = 0); O(1) per new iterate";

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

    /// <summary>One step of the recursion at the current iterate y = y_k: v ← β ∇y f(x, y) + (I − β ∇²yy g(x, y)) v.</summary>
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
        for (var k = 0; k < trajectory.Steps; k++)
        {
            Advance(problem, x, trajectory.Iterate(k), batch);
        }

        Current(problem, x, trajectory.Last, hypergradient, batch);
    }
}
