using Bilevel.LinearSolvers;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// Options of <see cref="AidFp"/>. Defaults: paper 002 App. A.2 (20 Newsgroups, hypertorch settings): T = 10 inner
/// steps, K = 10 fixed-point steps; the step sizes there (100) are for that problem's scaling, so α = β = 0.1 here.
/// </summary>
/// <param name="InnerStep">α, the inner GD step and the step of the fixed-point map Φ(y) = y − α ∇y g (App. A.2: one step size for both; α &lt; 2/L).</param>
/// <param name="OuterStep">β, the outer SGD step on x (App. A.2: SGD outer optimizer).</param>
/// <param name="InnerSteps">T, inner GD steps per outer iteration (App. A.2: 10).</param>
/// <param name="FixedPointSteps">K, fixed-point iterations v_{j+1} = (I − α ∇²yy g) v_j + ∇y f from v_0 = 0 (App. A.2: 10).</param>
/// <param name="WarmStart">Start the inner loop from the previous y_T (true, as paper 002's experiment code does) or from y₀ (false).</param>
public sealed record AidFpOptions(StepSize InnerStep, StepSize OuterStep, int InnerSteps = 10, int FixedPointSteps = 10, bool WarmStart = true)
{
    public AidFpOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// AID-FP, the approximate-implicit-differentiation baseline with the fixed-point method (Grazzi et al. 2020, as paper
/// 002 App. A.2 runs it through hypertorch <c>fixed_point</c>): T GD steps on y at x_k; K fixed-point iterations
/// w_{j+1} = (I − α ∇²yy g(x_k, y^T)) w_j + ∇y f(x_k, y^T), w_0 = 0; ∇̂Φ = ∇x f − α ∇²xy g(x_k, y^T) w_K (paper 002
/// eq. 3 with v = α w_K = α Σ_{j&lt;K} (I − α∇²yy g)^j ∇y f); x_{k+1} = x_k − β ∇̂Φ.
/// </summary>
/// <remarks>
/// Cost per iteration: T ∇y g + 1 ∇x f + 1 ∇y f + max(K − 1, 0) HVP + 1 cross. hypertorch also applies the map's
/// Jacobian to w_0 = 0 (K products); that product is zero and is skipped here (same result). Paper 002 gives no
/// update rule for this baseline; this is the digest's reference rule from Grazzi et al. / hypertorch.
/// </remarks>
public sealed class AidFp : BilevelSolver<AidFpOptions, AidFp.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "aid-fp", "AID-FP", "002", "Paper 002, App. A.2 baseline (Grazzi et al. 2020, AID with fixed-point iterations), eq. (3)",
        LoopStructure.DoubleLoop, Stochastic: false, "T ∇y g + 1 ∇x f + 1 ∇y f + max(K − 1, 0) HVP + 1 cross");

    public AidFp(AidFpOptions options)
        : base(options)
    {
        options.InnerStep.Validate(nameof(options.InnerStep));
        options.OuterStep.Validate(nameof(options.OuterStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InnerSteps, nameof(options.InnerSteps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.FixedPointSteps, nameof(options.FixedPointSteps));
        OptionChecks.Require(options.InnerStep.IsConstant, nameof(options.InnerStep), "InnerStep must be a constant step for AID-FP (it is also the fixed-point map's step)");
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        if (!Options.WarmStart)
        {
            state.LowerStart.CopyTo(state.Y, 0);
        }

        LowerSteps.Descend(problem, state.X, state.Y, Options.InnerSteps, Options.InnerStep, state.Full, state.LowerGradient);
        problem.UpperGradientY(state.X, state.Y, state.UpperGradientY);
        state.FixedPoint.Solve(state.Hessian.Bind(state.X, state.Y), state.UpperGradientY, state.V);
        LowerSteps.ImplicitHypergradient(problem, state.X, state.Y, state.V, state.Hypergradient, state.Cross);
        Vectors.Axpy(-Options.OuterStep.At(state.Iteration), state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>AID-FP's state: x, y, v = α w_K and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, AidFpOptions options)
            : base(context)
        {
            var problem = context.Problem;
            Full = LowerBatches(0);
            LowerStart = context.LowerStart.ToArray();
            V = new double[problem.LowerDimension];
            LowerGradient = new double[problem.LowerDimension];
            UpperGradientY = new double[problem.LowerDimension];
            Hypergradient = new double[problem.UpperDimension];
            Cross = new double[problem.UpperDimension];
            Hessian = new LowerHessianOperator(problem);
            FixedPoint = new FixedPointIteration(new FixedPointOptions(options.FixedPointSteps, options.InnerStep.Scale));
        }

        /// <summary>v = α w_K ≈ [∇²yy g]⁻¹ ∇y f (cold-started every iteration, as hypertorch).</summary>
        public double[] V { get; }

        /// <summary>The last hypergradient estimate.</summary>
        public double[] Hypergradient { get; }

        internal double[] LowerStart { get; }

        internal BatchSource Full { get; }

        internal double[] LowerGradient { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Cross { get; }

        internal LowerHessianOperator Hessian { get; }

        internal FixedPointIteration FixedPoint { get; }
    }
}
