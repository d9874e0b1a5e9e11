using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper003;

/// <summary>
/// Options of <see cref="F2sa"/>, in Kwon et al.'s notation as paper 003 App. B.3 uses it. Defaults: paper 003
/// App. B.3, Task 2 (CIFAR-10 hyper-representation): α = 0.1, γ = 0.01, ξ = 0.5, λ = 0.5, one inner iteration,
/// batch 128; λ is held fixed there (increment δ = 0).
/// </summary>
/// <param name="PenaltyStep">α_k, the step of the penalized variable y on f + λ g (Kwon et al. 2023, Algorithm 1); Task 2: 0.1.</param>
/// <param name="LowerStep">γ_k, the step of the auxiliary variable z on g, which tracks y*(x) (Algorithm 1); Task 2: 0.01.</param>
/// <param name="StepRatio">ξ, the x step is ξ α_k (Algorithm 1, "step-size ratio"); Task 2: 0.5.</param>
/// <param name="Multiplier">λ_0, the initial Lagrange multiplier / penalty of L_λ = f + λ (g − min g) (Task 2: 0.5).</param>
/// <param name="MultiplierIncrement">δ, λ_{k+1} = λ_k + δ after each x step (Algorithm 1; 0 keeps λ fixed, as in Task 2).</param>
/// <param name="InnerSteps">T, inner iterations on (z, y) per x step (Algorithm 1; Task 2: 1).</param>
/// <param name="BatchSize">Size of every mini-batch (Task 2: 128); 0 or ≥ n: full batch.</param>
/// <param name="SharedLowerBatch">Draw one lower batch per inner step for both ∇y g(x, z; φ_z) and ∇y g(x, y; φ_y)
/// (common random numbers; each estimator stays unbiased). Default false: independent φ_z, φ_y as the digest's
/// Algorithm 1 writes them. A sampling choice, not in paper 003 or Kwon et al.: with α λ = γ the sample noise of
/// y − z then scales with ‖y − z‖ = O(1/λ) instead of O(1), so λ no longer multiplies it in the x direction (the same
/// reasoning as the shared φ_x below).</param>
public sealed record F2saOptions(
    StepSize PenaltyStep,
    StepSize LowerStep,
    double StepRatio = 0.5,
    double Multiplier = 0.5,
    double MultiplierIncrement = 0,
    int InnerSteps = 1,
    int BatchSize = 128,
    bool SharedLowerBatch = false)
{
    public F2saOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.01))
    {
    }
}

/// <summary>
/// F²SA (Kwon, Kwon, Wright &amp; Nowak, ICML 2023, "A fully first-order method for stochastic bilevel optimization"),
/// Algorithm 1, the Hessian-free baseline of paper 003 §6 Task 2 (update rule: digest 003 §2.3 reference rule). On the
/// penalty L_λ(x, y) = f(x, y) + λ (g(x, y) − min_z g(x, z)), per outer iteration k, T inner steps
/// z ← z − γ_k ∇y g(x_k, z; φ_z) and y ← y − α_k (∇y f(x_k, y; ζ_y) + λ_k ∇y g(x_k, y; φ_y)) (both at the same inner
/// iterate), then x_{k+1} = x_k − ξ α_k (∇x f(x_k, y; ζ_x) + λ_k (∇x g(x_k, y; φ_x) − ∇x g(x_k, z; φ_x))) at the new
/// (y, z), and λ_{k+1} = λ_k + δ. No HVPs or cross products.
/// </summary>
/// <remarks>
/// Cost per iteration: 2T ∇y g + T ∇y f + 1 ∇x f + 2 ∇x g. Naming: Kwon's z (the pure lower-level tracker of y*(x))
/// is <see cref="SolverState.Y"/>, so traces measure ‖z − y*‖ as for every other solver; Kwon's y (the penalized
/// iterate) is <see cref="State.PenaltyY"/>. Batches: φ_z, ζ_y, φ_y in each inner step and ζ_x for ∇x f are drawn
/// independently; the two ∇x g of the x direction share one batch φ_x (a choice: the digest writes φ_x and φ'_x, and
/// benchopt draws two) so that the sample noise of λ (∇x g(x, y) − ∇x g(x, z)) scales with λ‖y − z‖ = O(1), not with λ.
/// The multiplier grows additively (δ per iteration), as in benchopt's F²SA; Kwon's theory uses λ_k ∝ k^{a}.
/// </remarks>
public sealed class F2sa : BilevelSolver<F2saOptions, F2sa.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "f2sa", "F²SA", "003", "Paper 003, §6 / App. B.3 baseline; Kwon et al. 2023, Algorithm 1 (penalty with auxiliary lower variable)",
        LoopStructure.DoubleLoop, Stochastic: true, "2T ∇y g + T ∇y f + 1 ∇x f + 2 ∇x g");

    public F2sa(F2saOptions options)
        : base(options)
    {
        options.PenaltyStep.Validate(nameof(options.PenaltyStep));
        options.LowerStep.Validate(nameof(options.LowerStep));
        OptionChecks.Positive(options.StepRatio, nameof(options.StepRatio));
        OptionChecks.Positive(options.Multiplier, nameof(options.Multiplier));
        OptionChecks.NonNegative(options.MultiplierIncrement, nameof(options.MultiplierIncrement));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.InnerSteps, nameof(options.InnerSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var k = state.Iteration;
        var alpha = Options.PenaltyStep.At(k);
        var gamma = Options.LowerStep.At(k);
        var lambda = state.Multiplier;
        for (var m = 0; m < Options.InnerSteps; m++)
        {
            var auxiliaryBatch = state.AuxiliaryBatches.Next();
            problem.LowerGradientY(state.X, state.Y, state.AuxiliaryGradient, auxiliaryBatch);
            problem.UpperGradientY(state.X, state.PenaltyY, state.PenaltyGradient, state.PenaltyUpperBatches.Next());
            var penaltyBatch = Options.SharedLowerBatch ? auxiliaryBatch : state.PenaltyLowerBatches.Next();
            problem.LowerGradientY(state.X, state.PenaltyY, state.LowerGradient, penaltyBatch);
            Vectors.Axpy(lambda, state.LowerGradient, state.PenaltyGradient);
            Vectors.Axpy(-gamma, state.AuxiliaryGradient, state.Y);
            Vectors.Axpy(-alpha, state.PenaltyGradient, state.PenaltyY);
        }

        problem.UpperGradientX(state.X, state.PenaltyY, state.UpperDirection, state.UpperXBatches.Next());
        var differenceBatch = state.LowerXBatches.Next();
        problem.LowerGradientX(state.X, state.PenaltyY, state.LowerGradientXAtPenalty, differenceBatch);
        problem.LowerGradientX(state.X, state.Y, state.LowerGradientXAtAuxiliary, differenceBatch);
        Vectors.Axpy(lambda, state.LowerGradientXAtPenalty, state.UpperDirection);
        Vectors.Axpy(-lambda, state.LowerGradientXAtAuxiliary, state.UpperDirection);
        Vectors.Axpy(-Options.StepRatio * alpha, state.UpperDirection, state.X);
        state.Multiplier += Options.MultiplierIncrement;
        state.UpperSteps++;
    }

    /// <summary>F²SA's state: x, the auxiliary lower iterate (Kwon's z, here Y), the penalized iterate y and λ.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, F2saOptions options)
            : base(context)
        {
            var problem = context.Problem;
            int dx = problem.UpperDimension, dy = problem.LowerDimension;
            AuxiliaryBatches = LowerBatches(options.BatchSize);
            PenaltyUpperBatches = UpperBatches(options.BatchSize);
            PenaltyLowerBatches = LowerBatches(options.BatchSize);
            UpperXBatches = UpperBatches(options.BatchSize);
            LowerXBatches = LowerBatches(options.BatchSize);
            PenaltyY = (double[])context.LowerStart.Clone();
            Multiplier = options.Multiplier;
            AuxiliaryGradient = new double[dy];
            PenaltyGradient = new double[dy];
            LowerGradient = new double[dy];
            UpperDirection = new double[dx];
            LowerGradientXAtPenalty = new double[dx];
            LowerGradientXAtAuxiliary = new double[dx];
        }

        /// <summary>Kwon et al.'s y: the minimizer estimate of the penalized f + λ g (starts at y₀).</summary>
        public double[] PenaltyY { get; }

        /// <summary>λ_k, the current multiplier.</summary>
        public double Multiplier { get; internal set; }

        /// <summary>The last x direction ∇x f + λ (∇x g(x, y) − ∇x g(x, z)).</summary>
        public double[] UpperDirection { get; }

        internal BatchSource AuxiliaryBatches { get; }

        internal BatchSource PenaltyUpperBatches { get; }

        internal BatchSource PenaltyLowerBatches { get; }

        internal BatchSource UpperXBatches { get; }

        internal BatchSource LowerXBatches { get; }

        internal double[] AuxiliaryGradient { get; }

        internal double[] PenaltyGradient { get; }

        internal double[] LowerGradient { get; }

        internal double[] LowerGradientXAtPenalty { get; }

        internal double[] LowerGradientXAtAuxiliary { get; }
    }
}
