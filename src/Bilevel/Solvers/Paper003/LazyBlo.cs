using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper003;

/// <summary>
/// Options of <see cref="LazyBlo"/>. Defaults: paper 003 §6 / App. B.2, Task 1 (MNIST hyper-cleaning): α = 0.1,
/// β = 0.5, γ = 0.1, N = 8, batch 1000 (Task 2 uses α = 0.01, β = 0.05, γ = 0.01, N = 2, batch 128).
/// </summary>
/// <param name="UpperStep">α_t, the x step of Algorithm 1 (x_t^{n+1} = x_t^n − α_t h^f_{t,n}); Task 1: 0.1; Thm 5.3: α = O(1/N²).</param>
/// <param name="LowerStep">β_t, the y step of Algorithm 1 (y_t^{n+1} = y_t^n − β_t h^g_{t,n}); Task 1: 0.5; Thm 5.3: β = c_β α.</param>
/// <param name="LinearSystemStep">γ_t, the z step ("Hessian update stepsize", z_{t+1} = z_t − γ_t h^q_t, eq. 7); Task 1: 0.1; Thm 5.3: γ = c_γ α.</param>
/// <param name="LazyPeriod">N, the x/y updates per z update, i.e. per HVP (the laziness period of Algorithm 1's inner loop); Task 1: 8, Task 2: 2.</param>
/// <param name="BatchSize">Size of each of the five independent mini-batches D^{g_y}, D^{f_x}, D^{g_xy}, D^{g_yy}, D^{f_y} (§3, eq. 4–7); Task 1: 1000, Task 2: 128; 0 or ≥ n: full batch.</param>
public sealed record LazyBloOptions(
    StepSize UpperStep,
    StepSize LowerStep,
    StepSize LinearSystemStep,
    int LazyPeriod = 8,
    int BatchSize = 1000)
{
    public LazyBloOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.5), StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// LazyBLO, paper 003 ("A Lazy Hessian Evaluation Framework for Accelerating Stochastic Bilevel Optimization")
/// Algorithm 1 with the estimators of eq. (5)–(7). One <see cref="BilevelSolver.Iterate"/> is one outer iteration t:
/// N simultaneous updates y_t^{n+1} = y_t^n − β_t ∇y g(x_t^n, y_t^n; D^{g_y}_{t,n}) and
/// x_t^{n+1} = x_t^n − α_t [∇x f(x_t^n, y_t^n; D^{f_x}_{t,n}) + ∇²xy g(x_t^n, y_t^n; D^{g_xy}_{t,n}) z_t] with z_t
/// frozen (eq. 5–6), then one stochastic gradient step on the quadratic q of eq. (3) at the last point,
/// z_{t+1} = z_t − γ_t [∇²yy g(x_t^N, y_t^N; D^{g_yy}_t) z_t + ∇y f(x_t^N, y_t^N; D^{f_y}_t)] (eq. 7), the only HVP.
/// z ≈ z* = −[∇²yy g]⁻¹ ∇y f (negative sign, eq. 3).
/// </summary>
/// <remarks>
/// <para>Cost per iteration: N ∇y g + N ∇x f + N cross + 1 HVP + 1 ∇y f, and N x-updates (<see cref="SolverState.UpperSteps"/> += N).</para>
/// <para>
/// Ambiguities (paper 003 §3 and Algorithm 1, resolved here): the printed "Initialize x_t^0 = x_{t−1}^N" line sits
/// inside the inner loop and is read as the warm start before it; the x and y updates of one inner step both use
/// (x_t^n, y_t^n) (a simultaneous update, as eq. 5–6 are evaluated there); §3 says "we use CG", but Algorithm 1 takes
/// one SGD step on z per outer iteration, which is what is implemented; z_0 = 0 (the paper gives no initialization);
/// the step sizes are indexed by the outer counter t, as printed (α_t, β_t, γ_t).
/// </para>
/// </remarks>
public sealed class LazyBlo : BilevelSolver<LazyBloOptions, LazyBlo.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "lazyblo", "LazyBLO", "003", "Paper 003, Algorithm 1, eq. (5)–(7); z frozen for N x/y updates, one HVP step per outer iteration",
        LoopStructure.FullySingleLoop, Stochastic: true, "N ∇y g + N ∇x f + N cross + 1 HVP + 1 ∇y f (N x-updates)");

    public LazyBlo(LazyBloOptions options)
        : base(options)
    {
        options.UpperStep.Validate(nameof(options.UpperStep));
        options.LowerStep.Validate(nameof(options.LowerStep));
        options.LinearSystemStep.Validate(nameof(options.LinearSystemStep));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.LazyPeriod, nameof(options.LazyPeriod));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options.BatchSize);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var t = state.Iteration;
        var alpha = Options.UpperStep.At(t);
        var beta = Options.LowerStep.At(t);
        for (var n = 0; n < Options.LazyPeriod; n++)
        {
            // h^g_{t,n} (eq. 6) and h^f_{t,n} (eq. 5), both at (x_t^n, y_t^n), with the stale z_t.
            problem.LowerGradientY(state.X, state.Y, state.LowerGradient, state.LowerGradientBatches.Next());
            problem.UpperGradientX(state.X, state.Y, state.Hypergradient, state.UpperGradientXBatches.Next());
            problem.LowerCrossProduct(state.X, state.Y, state.Z, state.Cross, state.CrossBatches.Next());
            Vectors.Axpy(1, state.Cross, state.Hypergradient);
            Vectors.Axpy(-beta, state.LowerGradient, state.Y);
            Vectors.Axpy(-alpha, state.Hypergradient, state.X);
            state.UpperSteps++;
        }

        // h^q_t (eq. 7) at (x_t^N, y_t^N): the single HVP of the outer iteration.
        problem.LowerHvp(state.X, state.Y, state.Z, state.Hvp, state.HvpBatches.Next());
        problem.UpperGradientY(state.X, state.Y, state.UpperGradientY, state.UpperGradientYBatches.Next());
        Vectors.Axpy(1, state.UpperGradientY, state.Hvp);
        Vectors.Axpy(-Options.LinearSystemStep.At(t), state.Hvp, state.Z);
    }

    /// <summary>LazyBLO's state: x, y, the lazily updated z and one batch stream per oracle.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, int batchSize)
            : base(context)
        {
            var problem = context.Problem;
            LowerGradientBatches = LowerBatches(batchSize);
            UpperGradientXBatches = UpperBatches(batchSize);
            CrossBatches = LowerBatches(batchSize);
            HvpBatches = LowerBatches(batchSize);
            UpperGradientYBatches = UpperBatches(batchSize);
            Z = new double[problem.LowerDimension];
            LowerGradient = new double[problem.LowerDimension];
            UpperGradientY = new double[problem.LowerDimension];
            Hvp = new double[problem.LowerDimension];
            Hypergradient = new double[problem.UpperDimension];
            Cross = new double[problem.UpperDimension];
        }

        /// <summary>z_t ≈ −[∇²yy g]⁻¹ ∇y f, the minimizer estimate of q in eq. (3); changed once per outer iteration (z_0 = 0).</summary>
        public double[] Z { get; }

        /// <summary>The last hypergradient estimate h^f_{t,N−1} (eq. 5).</summary>
        public double[] Hypergradient { get; }

        internal BatchSource LowerGradientBatches { get; }

        internal BatchSource UpperGradientXBatches { get; }

        internal BatchSource CrossBatches { get; }

        internal BatchSource HvpBatches { get; }

        internal BatchSource UpperGradientYBatches { get; }

        internal double[] LowerGradient { get; }

        internal double[] UpperGradientY { get; }

        internal double[] Hvp { get; }

        internal double[] Cross { get; }
    }
}
