using Bilevel.LinearSolvers;
using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// Options of <see cref="AidCg"/>. Defaults: paper 002 App. A.2 (20 Newsgroups, hypertorch settings): T = 10 inner
/// steps, K = 10 CG steps; the step sizes there (100) are for that problem's scaling, so α = β = 0.1 here.
/// </summary>
/// <param name="InnerStep">α, the inner GD step (App. A.2: the inner step size; α &lt; 2/L).</param>
/// <param name="OuterStep">β, the outer SGD step on x (App. A.2: SGD outer optimizer).</param>
/// <param name="InnerSteps">T, inner GD steps per outer iteration (App. A.2: 10).</param>
/// <param name="CgIterations">K, conjugate-gradient steps on ∇²yy g v = ∇y f from v_0 = 0 (App. A.2: 10 CG steps).</param>
/// <param name="WarmStart">Start the inner loop from the previous y_T (true, as paper 002's experiment code does) or from y₀ (false).</param>
public sealed record AidCgOptions(StepSize InnerStep, StepSize OuterStep, int InnerSteps = 10, int CgIterations = 10, bool WarmStart = true)
{
    public AidCgOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// AID-CG, the approximate-implicit-differentiation baseline with conjugate gradients (Grazzi et al. 2020, as paper
/// 002 App. A.2 runs it through hypertorch <c>CG</c>): T GD steps on y at x_k; K CG steps on
/// ∇²yy g(x_k, y^T) v = ∇y f(x_k, y^T) started from v = 0 (hypertorch restarts CG from zero every outer iteration);
/// ∇̂Φ = ∇x f(x_k, y^T) − ∇²xy g(x_k, y^T) v (paper 002 eq. 3); x_{k+1} = x_k − β ∇̂Φ.
/// </summary>
/// <remarks>
/// Cost per iteration: T ∇y g + 1 ∇x f + 1 ∇y f + K HVP + 1 cross. It differs from <see cref="AidBiO"/> only in the
/// cold-started CG (AID-BiO warm-starts v_k^0 = v_{k−1}^N). Paper 002 gives no update rule for this baseline; this
/// is the digest's reference rule from Grazzi et al. / hypertorch.
/// </remarks>
public sealed class AidCg : BilevelSolver<AidCgOptions, AidCg.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "aid-cg", "AID-CG", "002", "Paper 002, App. A.2 baseline (Grazzi et al. 2020, AID with conjugate gradients), eq. (3)",
        LoopStructure.DoubleLoop, Stochastic: false, "T ∇y g + 1 ∇x f + 1 ∇y f + K HVP + 1 cross");

    public AidCg(AidCgOptions options)
        : base(options)
    {
        options.InnerStep.Validate(nameof(options.InnerStep));
        options.OuterStep.Validate(nameof(options.OuterStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InnerSteps, nameof(options.InnerSteps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.CgIterations, nameof(options.CgIterations));
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
        state.Cg.Solve(state.Hessian.Bind(state.X, state.Y), state.UpperGradientY, state.V);
        LowerSteps.ImplicitHypergradient(problem, state.X, state.Y, state.V, state.Hypergradient, state.Cross);
        Vectors.Axpy(-Options.OuterStep.At(state.Iteration), state.Hypergradient, state.X);
        state.UpperSteps++;
    }

    /// <summary>AID-CG's state: x, y, the CG solution v and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, AidCgOptions options)
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
            Cg = new ConjugateGradient(new ConjugateGradientOptions(options.CgIterations, WarmStart: false));
        }

        /// <summary>v ≈ [∇²yy g]⁻¹ ∇y f after K cold-started CG steps.</summary>
        public double[] V { get; }

        /// <summary>The last hypergradient estimate.</summary>
        public double[] Hypergradient { get; }

        internal double[] LowerStart { get; }

        internal BatchSource Full { get; }

        internal double[] LowerGradient { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Cross { get; }

        internal LowerHessianOperator Hessian { get; }

        internal ConjugateGradient Cg { get; }
    }
}
