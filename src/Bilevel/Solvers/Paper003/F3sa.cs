using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper003;

/// <summary>
/// Options of <see cref="F3sa"/>, in Kwon et al.'s notation as paper 003 App. B.3 uses it. Defaults: paper 003
/// App. B.3, Task 2: α = 0.05, γ = 0.01, ξ = 0.1, λ = 0.5, momentum weight η = 0.9, batch 128; λ fixed (δ = 0).
/// </summary>
/// <param name="PenaltyStep">α_k, the step of the penalized variable y (Kwon et al. 2023, Algorithm 2); Task 2: 0.05.</param>
/// <param name="LowerStep">γ_k, the step of the auxiliary lower variable z (Algorithm 2); Task 2: 0.01.</param>
/// <param name="StepRatio">ξ, the x step is ξ α_k (Algorithm 2); Task 2: 0.1.</param>
/// <param name="Multiplier">λ_0, the initial multiplier of L_λ = f + λ (g − min g) (Task 2: 0.5).</param>
/// <param name="MultiplierIncrement">δ, λ_{k+1} = λ_k + δ (0 keeps λ fixed, as in Task 2).</param>
/// <param name="Momentum">η ∈ (0, 1], the STORM weight h_k = ĝ_k + (1 − η)(h_{k−1} − ĝ_{k−1}) of the three estimators (Algorithm 2; Task 2 "momentum weight": 0.9).</param>
/// <param name="BatchSize">Size of every mini-batch (Task 2: 128); 0 or ≥ n: full batch.</param>
/// <param name="SharedLowerBatch">Use one lower batch per iteration at (x, y) and at (x, z) (common random numbers; the
/// estimators stay unbiased). Default false: independent batches. A sampling choice, not in paper 003 or Kwon et al.:
/// with α λ = γ the sample noise of y − z and of λ (∇x g(x, y) − ∇x g(x, z)) then scales with ‖y − z‖ = O(1/λ).</param>
public sealed record F3saOptions(
    StepSize PenaltyStep,
    StepSize LowerStep,
    double StepRatio = 0.1,
    double Multiplier = 0.5,
    double MultiplierIncrement = 0,
    double Momentum = 0.9,
    int BatchSize = 128,
    bool SharedLowerBatch = false)
{
    public F3saOptions()
        : this(StepSize.Constant(0.05), StepSize.Constant(0.01))
    {
    }
}

/// <summary>
/// F³SA (Kwon, Kwon, Wright &amp; Nowak, ICML 2023), Algorithm 2: the single-loop, momentum-assisted F²SA, a
/// Hessian-free baseline of paper 003 §6 Task 2 (update rule: digest 003 §2.3 reference rule). Three STORM estimators,
/// each stochastic gradient on the same batches at the current point k and the previous point k − 1:
/// h_z = ∇y g(x, z), h_y = ∇y f(x, y) + λ ∇y g(x, y), h_x = ∇x f(x, y) + λ (∇x g(x, y) − ∇x g(x, z)),
/// h_k = ĝ(point_k) + (1 − η)(h_{k−1} − ĝ(point_{k−1})) (k = 0: h_0 = ĝ(point_0)); then, simultaneously,
/// x ← x − ξ α_k h_x, y ← y − α_k h_y, z ← z − γ_k h_z, and λ ← λ + δ.
/// </summary>
/// <remarks>
/// Cost per iteration: k = 0: 1 ∇x f + 1 ∇y f + 2 ∇x g + 2 ∇y g; k ≥ 1: 2 ∇x f + 2 ∇y f + 4 ∇x g + 4 ∇y g. No HVPs.
/// Choices (the digest marks the exact form as uncertain): the x, y, z steps are simultaneous, from the estimators at
/// the same point; h_y and h_x share their samples at (x, y) (one upper and one lower batch there) and h_z and h_x
/// share one lower batch at (x, z); the previous-point estimate uses λ_{k−1}. Naming as in <see cref="F2sa"/>: Kwon's
/// z is <see cref="SolverState.Y"/>, Kwon's y is <see cref="State.PenaltyY"/>.
/// </remarks>
public sealed class F3sa : BilevelSolver<F3saOptions, F3sa.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "f3sa", "F³SA", "003", "Paper 003, §6 / App. B.3 baseline; Kwon et al. 2023, Algorithm 2 (F²SA with STORM momentum, single loop)",
        LoopStructure.FullySingleLoop, Stochastic: true, "k = 0: 1 ∇x f + 1 ∇y f + 2 ∇x g + 2 ∇y g; k ≥ 1: 2 ∇x f + 2 ∇y f + 4 ∇x g + 4 ∇y g");

    public F3sa(F3saOptions options)
        : base(options)
    {
        options.PenaltyStep.Validate(nameof(options.PenaltyStep));
        options.LowerStep.Validate(nameof(options.LowerStep));
        OptionChecks.Positive(options.StepRatio, nameof(options.StepRatio));
        OptionChecks.Positive(options.Multiplier, nameof(options.Multiplier));
        OptionChecks.NonNegative(options.MultiplierIncrement, nameof(options.MultiplierIncrement));
        OptionChecks.Weight(options.Momentum, nameof(options.Momentum));

        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options);

    protected override void Advance(State state)
    {
        var k = state.Iteration;
        var upperBatch = state.UpperBatchSource.Next();
        var penaltyBatch = state.PenaltyBatchSource.Next();
        var auxiliaryBatch = state.AuxiliaryBatchSource.Next();
        if (Options.SharedLowerBatch)
        {
            auxiliaryBatch = penaltyBatch;
        }

        if (k == 0)
        {
            Directions(state.Problem, state.X, state.PenaltyY, state.Y, state.Multiplier, upperBatch, penaltyBatch, auxiliaryBatch,
                state.UpperEstimate, state.PenaltyEstimate, state.LowerEstimate, state);
        }
        else
        {
            Directions(state.Problem, state.X, state.PenaltyY, state.Y, state.Multiplier, upperBatch, penaltyBatch, auxiliaryBatch,
                state.UpperCurrent, state.PenaltyCurrent, state.LowerCurrent, state);
            Directions(state.Problem, state.PreviousX, state.PreviousPenaltyY, state.PreviousY, state.PreviousMultiplier, upperBatch, penaltyBatch, auxiliaryBatch,
                state.UpperPrevious, state.PenaltyPrevious, state.LowerPrevious, state);
            StochasticUpdates.Storm(state.UpperEstimate, state.UpperCurrent, state.UpperPrevious, Options.Momentum);
            StochasticUpdates.Storm(state.PenaltyEstimate, state.PenaltyCurrent, state.PenaltyPrevious, Options.Momentum);
            StochasticUpdates.Storm(state.LowerEstimate, state.LowerCurrent, state.LowerPrevious, Options.Momentum);
        }

        state.X.CopyTo(state.PreviousX, 0);
        state.PenaltyY.CopyTo(state.PreviousPenaltyY, 0);
        state.Y.CopyTo(state.PreviousY, 0);
        state.PreviousMultiplier = state.Multiplier;
        var alpha = Options.PenaltyStep.At(k);
        Vectors.Axpy(-Options.StepRatio * alpha, state.UpperEstimate, state.X);
        Vectors.Axpy(-alpha, state.PenaltyEstimate, state.PenaltyY);
        Vectors.Axpy(-Options.LowerStep.At(k), state.LowerEstimate, state.Y);
        state.Multiplier += Options.MultiplierIncrement;
        state.UpperSteps++;
    }

    /// <summary>The three stochastic directions at (x, y, z) with multiplier λ. Cost: 1 ∇x f + 1 ∇y f + 2 ∇x g + 2 ∇y g.</summary>
    private static void Directions(BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, double lambda,
        Batch upperBatch, Batch penaltyBatch, Batch auxiliaryBatch, Span<double> hx, Span<double> hy, Span<double> hz, State s)
    {
        problem.UpperGradients(x, y, hx, hy, upperBatch);
        problem.LowerGradients(x, y, s.LowerXAtPenalty, s.LowerYAtPenalty, penaltyBatch);
        problem.LowerGradients(x, z, s.LowerXAtAuxiliary, hz, auxiliaryBatch);
        Vectors.Axpy(lambda, s.LowerYAtPenalty, hy);
        Vectors.Axpy(lambda, s.LowerXAtPenalty, hx);
        Vectors.Axpy(-lambda, s.LowerXAtAuxiliary, hx);
    }

    /// <summary>F³SA's state: x, the auxiliary lower iterate (Kwon's z, here Y), the penalized y, λ, the previous point and the three estimators.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, F3saOptions options)
            : base(context)
        {
            var problem = context.Problem;
            int dx = problem.UpperDimension, dy = problem.LowerDimension;
            UpperBatchSource = UpperBatches(options.BatchSize);
            PenaltyBatchSource = LowerBatches(options.BatchSize);
            AuxiliaryBatchSource = LowerBatches(options.BatchSize);
            PenaltyY = (double[])context.LowerStart.Clone();
            Multiplier = options.Multiplier;
            PreviousX = new double[dx];
            PreviousPenaltyY = new double[dy];
            PreviousY = new double[dy];
            UpperEstimate = new double[dx];
            PenaltyEstimate = new double[dy];
            LowerEstimate = new double[dy];
            UpperCurrent = new double[dx];
            PenaltyCurrent = new double[dy];
            LowerCurrent = new double[dy];
            UpperPrevious = new double[dx];
            PenaltyPrevious = new double[dy];
            LowerPrevious = new double[dy];
            LowerXAtPenalty = new double[dx];
            LowerYAtPenalty = new double[dy];
            LowerXAtAuxiliary = new double[dx];
        }

        /// <summary>Kwon et al.'s y: the minimizer estimate of the penalized f + λ g (starts at y₀).</summary>
        public double[] PenaltyY { get; }

        /// <summary>λ_k, the current multiplier.</summary>
        public double Multiplier { get; internal set; }

        /// <summary>h_x, the STORM estimate of the x direction.</summary>
        public double[] UpperEstimate { get; }

        /// <summary>h_y, the STORM estimate of the penalized y direction.</summary>
        public double[] PenaltyEstimate { get; }

        /// <summary>h_z, the STORM estimate of ∇y g at the auxiliary iterate.</summary>
        public double[] LowerEstimate { get; }

        internal double PreviousMultiplier { get; set; }

        internal BatchSource UpperBatchSource { get; }

        internal BatchSource PenaltyBatchSource { get; }

        internal BatchSource AuxiliaryBatchSource { get; }

        internal double[] PreviousX { get; }

        internal double[] PreviousPenaltyY { get; }

        internal double[] PreviousY { get; }

        internal double[] UpperCurrent { get; }

        internal double[] PenaltyCurrent { get; }

        internal double[] LowerCurrent { get; }

        internal double[] UpperPrevious { get; }

        internal double[] PenaltyPrevious { get; }

        internal double[] LowerPrevious { get; }

        internal double[] LowerXAtPenalty { get; }

        internal double[] LowerYAtPenalty { get; }

        internal double[] LowerXAtAuxiliary { get; }
    }
}
