using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Hypergradients;

/// <summary>
/// Reverse-mode iterative differentiation (ITD, "BP" in paper 000, "reverse" in paper 002): the exact derivative
/// of x ↦ f(x, y_T(x)) through the T recorded gradient steps y_{t+1} = y_t − η_t ∇y g(x, y_t), with y_0 independent
/// of x (paper 002 Proposition 2; paper 000 Lemma 2, BP case):
/// ∇̂Φ = ∇x f(x, y_T) − Σ_{t=0}^{T−1} η_t ∇²xy g(x, y_t) Π_{s=t+1}^{T−1} (I − η_s ∇²yy g(x, y_s)) ∇y f(x, y_T).
/// Computed by the backward recursion h ← h − η_t ∇²xy g(y_t) a, a ← a − η_t ∇²yy g(y_t) a for t = T−1 … 0.
/// With <see cref="TruncationSteps"/> = J only the last J steps are differentiated (truncated back-propagation,
/// Shaban et al. 2018, paper 002's "reverse" baseline).
/// Cost: 1 ∇x f + 1 ∇y f + min(T, J) cross products + min(T, J) − 1 HVPs (HVP and cross product at the same
/// iterate come from one fused oracle call).
/// </summary>
public sealed class IterativeDifferentiation : HypergradientMethod
{
    private double[] _adjoint = [];
    private double[] _hvp = [];
    private double[] _cross = [];

    /// <param name="truncationSteps">Differentiate only through the last J steps (null: all of them).</param>
    public IterativeDifferentiation(int? truncationSteps = null)
    {
        if (truncationSteps is { } j)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(j);
        }

        TruncationSteps = truncationSteps;
    }

    /// <summary>J, the number of last steps differentiated; null for all.</summary>
    public int? TruncationSteps { get; }

    public override string Name => TruncationSteps is { } j ? $"ITD-truncated({j})" : "ITD";

    public override bool NeedsHistory => true;

    public override string CostFormula => TruncationSteps is null
        ? "1 ∇x f + 1 ∇y f + T cross + max(T − 1, 0) HVP"
        : "1 ∇x f + 1 ∇y f + min(T, J) cross + max(min(T, J) − 1, 0) HVP";

    protected override void EstimateCore(BilevelProblem problem, ReadOnlySpan<double> x, LowerTrajectory trajectory, Span<double> hypergradient, Batch batch)
    {
        var first = TruncationSteps is { } j ? Math.Max(0, trajectory.Steps - j) : 0;
        ReverseSweep(problem, x, trajectory, constantStep: null, first, hypergradient, batch,
            ref _adjoint, ref _hvp, ref _cross);
    }

    /// <summary>
    /// The backward recursion shared by ITD and ES-ITDM: h = ∇x f(y_T), a = ∇y f(y_T), then for t = T−1 down to
    /// <paramref name="first"/>: h −= η_t ∇²xy g(y_t) a and (except at t = first) a −= η_t ∇²yy g(y_t) a.
    /// </summary>
    internal static void ReverseSweep(BilevelProblem problem, ReadOnlySpan<double> x, LowerTrajectory trajectory,
        double? constantStep, int first, Span<double> hypergradient, Batch batch,
        ref double[] adjointBuffer, ref double[] hvpBuffer, ref double[] crossBuffer)
    {
        var dy = problem.LowerDimension;
        var dx = problem.UpperDimension;
        Scratch.Ensure(ref adjointBuffer, dy);
        Scratch.Ensure(ref hvpBuffer, dy);
        Scratch.Ensure(ref crossBuffer, dx);
        var adjoint = adjointBuffer.AsSpan(0, dy);
        var hvp = hvpBuffer.AsSpan(0, dy);
        var cross = crossBuffer.AsSpan(0, dx);

        problem.UpperGradients(x, trajectory.Last, hypergradient, adjoint, batch);
        for (var t = trajectory.Steps - 1; t >= first; t--)
        {
            var step = constantStep ?? trajectory.StepSize(t);
            var y = trajectory.Iterate(t);
            if (t > first)
            {
                problem.LowerHvpAndCrossProduct(x, y, adjoint, hvp, cross, batch);
                Vectors.Axpy(-step, cross, hypergradient);
                Vectors.Axpy(-step, hvp, adjoint);
            }
            else
            {
                problem.LowerCrossProduct(x, y, adjoint, cross, batch);
                Vectors.Axpy(-step, cross, hypergradient);
            }
        }
    }
}
