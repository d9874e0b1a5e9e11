using Bilevel.Problems;

namespace Bilevel.Hypergradients;

/// <summary>
/// The ES-ITDM Jacobian recursion of paper 001, eq. (5) J^{l+1} = J^l (I − γ ∇²yy g(x^l, y^l)) − γ ∇²xy g(x^l, y^l)
/// with J^0 = 0, i.e. its unrolled form eq. (6), applied matrix-free to ∇y f:
/// ∇̂Φ = ∇x f(x, y_T) + J^T ∇y f(x, y_T), J^T ∇y f = −Σ_{k=0}^{T−1} γ ∇²xy g(y_k) Π_{s=k+1}^{T−1}(I − γ ∇²yy g(y_s)) ∇y f.
/// Following paper 001 Algorithm 2 line 4, J is built from y_0 … y_{T−1} and ∇f is taken at y_T.
/// </summary>
/// <remarks>
/// The "virtual" step γ is separate from the lower step α (paper 001 §2.2); with γ = null the recorded steps are
/// used, and at a fixed x the estimate then equals <see cref="IterativeDifferentiation"/> exactly. The two differ
/// inside ES-ITDM's single loop, where x changes along the history. J is never formed: it is applied by one
/// backward sweep over the stored history (paper 001 notes the O(l) storage).
/// Cost: 1 ∇x f + 1 ∇y f + T cross + (T − 1) HVP.
/// </remarks>
public sealed class JacobianRecursion : HypergradientMethod
{
    private double[] _adjoint = [];
    private double[] _hvp = [];
    private double[] _cross = [];

    /// <param name="virtualStep">γ of eq. (5); null uses the trajectory's own steps.</param>
    public JacobianRecursion(double? virtualStep = null)
    {
        if (virtualStep is { } gamma && !(gamma > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(virtualStep), gamma, "γ must be positive");
        }

        VirtualStep = virtualStep;
    }

    /// <summary>γ, or null for the trajectory's steps.</summary>
    public double? VirtualStep { get; }

    public override string Name => "ES-ITDM";

    public override bool NeedsHistory => true;

    public override string CostFormula => "1 ∇x f + 1 ∇y f + T cross + max(T − 1, 0) HVP";

    protected override void EstimateCore(BilevelProblem problem, ReadOnlySpan<double> x, LowerTrajectory trajectory, Span<double> hypergradient, Batch batch) =>
        IterativeDifferentiation.ReverseSweep(problem, x, trajectory, VirtualStep, first: 0, hypergradient, batch,
            ref _adjoint, ref _hvp, ref _cross);
}
