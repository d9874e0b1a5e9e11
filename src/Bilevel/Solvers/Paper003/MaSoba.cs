using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper003;

/// <summary>
/// Options of <see cref="MaSoba"/>. Paper 003 runs MA-SOBA (Table 2) but gives no hyperparameters; the defaults follow
/// Chen, Xiao &amp; Balasubramanian 2024 (constant steps α, β = c_β α, γ = c_γ α, θ = c_θ α) with α = 0.1 and
/// c_β = c_γ = c_θ = 1, no projection, and the batch of paper 003 Task 1 (1000).
/// </summary>
/// <param name="UpperStep">α_k, the x step x_{k+1} = x_k − α_k w_k (Chen et al. 2024, Algorithm 1).</param>
/// <param name="LowerStep">β_k, the y step y_{k+1} = y_k − β_k D_y (Chen et al. 2024, Algorithm 1).</param>
/// <param name="LinearSystemStep">γ_k, the z step z_{k+1} = Π(z_k − γ_k D_z) (Chen et al. 2024, Algorithm 1).</param>
/// <param name="Averaging">θ_k ∈ (0, 1], the moving-average weight w_{k+1} = (1 − θ_k) w_k + θ_k D_x (Chen et al. 2024, Algorithm 1).</param>
/// <param name="LinearSystemRadius">ρ, the radius of the ball z is projected onto (Chen et al. 2024 keep z bounded, ‖z*‖ ≤ B_fy/μ_g, paper 003 Lemma 5.2); Infinity: no projection.</param>
/// <param name="BatchSize">Lower and upper mini-batch size (paper 003 Task 1: 1000); 0 or ≥ n: full batch.</param>
public sealed record MaSobaOptions(
    StepSize UpperStep,
    StepSize LowerStep,
    StepSize LinearSystemStep,
    StepSize Averaging,
    double LinearSystemRadius = double.PositiveInfinity,
    int BatchSize = 1000)
{
    public MaSobaOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.1), StepSize.Constant(0.1), StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// MA-SOBA (Chen, Xiao &amp; Balasubramanian, JMLR 2024, "Optimal algorithms for stochastic bilevel optimization under
/// relaxed smoothness conditions"), a fully single-loop baseline of paper 003 Table 2 (update rule: digest 003 §2.3
/// reference rule). SOBA's directions D_y, D_z, D_x at (x_k, y_k, z_k) (<see cref="SobaDirections"/>), then
/// y_{k+1} = y_k − β_k D_y, z_{k+1} = Π_{‖z‖≤ρ}(z_k − γ_k D_z), x_{k+1} = x_k − α_k w_k,
/// w_{k+1} = (1 − θ_k) w_k + θ_k D_x (the moving average on the upper direction). z ≈ −[∇²yy g]⁻¹ ∇y f.
/// </summary>
/// <remarks>
/// Cost per iteration: 1 ∇y g + 1 ∇x f + 1 ∇y f + 1 HVP + 1 cross. Choices (the digest flags the exact form as to be
/// checked): the x step uses w_k before it is averaged with D_x, as printed in the digest, and w_0 = 0, so x moves
/// from the second iteration on; lower and upper oracles share one batch each per iteration, as in SOBA.
/// </remarks>
public sealed class MaSoba : BilevelSolver<MaSobaOptions, MaSoba.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "ma-soba", "MA-SOBA", "003", "Paper 003, Table 2 baseline; Chen, Xiao & Balasubramanian 2024, Algorithm 1 (SOBA with a moving-average x direction)",
        LoopStructure.FullySingleLoop, Stochastic: true, "1 ∇y g + 1 ∇x f + 1 ∇y f + 1 HVP + 1 cross");

    public MaSoba(MaSobaOptions options)
        : base(options)
    {
        options.UpperStep.Validate(nameof(options.UpperStep));
        options.LowerStep.Validate(nameof(options.LowerStep));
        options.LinearSystemStep.Validate(nameof(options.LinearSystemStep));
        options.Averaging.Validate(nameof(options.Averaging));
        OptionChecks.Weight(options.Averaging.At(0), nameof(options.Averaging));
        OptionChecks.PositiveOrInfinite(options.LinearSystemRadius, nameof(options.LinearSystemRadius));

        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options.BatchSize);

    protected override void Advance(State state)
    {
        var k = state.Iteration;
        var d = state.Directions;
        SobaDirections.Compute(state.Problem, state.X, state.Y, state.Z, state.LowerBatchSource.Next(), state.UpperBatchSource.Next(), d);
        Vectors.Axpy(-Options.LowerStep.At(k), d.Lower, state.Y);
        Vectors.Axpy(-Options.LinearSystemStep.At(k), d.LinearSystem, state.Z);
        StochasticUpdates.ProjectOntoBall(state.Z, Options.LinearSystemRadius);
        Vectors.Axpy(-Options.UpperStep.At(k), state.Average, state.X);
        StochasticUpdates.MovingAverage(state.Average, d.Upper, Options.Averaging.At(k));
        state.UpperSteps++;
    }

    /// <summary>MA-SOBA's state: x, y, z, the averaged direction w and the batch streams.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, int batchSize)
            : base(context)
        {
            LowerBatchSource = LowerBatches(batchSize);
            UpperBatchSource = UpperBatches(batchSize);
            Z = new double[context.Problem.LowerDimension];
            Average = new double[context.Problem.UpperDimension];
            Directions = new SobaDirections(context.Problem);
        }

        /// <summary>z ≈ −[∇²yy g]⁻¹ ∇y f (z_0 = 0), kept in the ball of radius ρ.</summary>
        public double[] Z { get; }

        /// <summary>w_k, the moving average of the upper directions D_x (w_0 = 0).</summary>
        public double[] Average { get; }

        /// <summary>The last directions D_y, D_z, D_x.</summary>
        public SobaDirections Directions { get; }

        internal BatchSource LowerBatchSource { get; }

        internal BatchSource UpperBatchSource { get; }
    }
}
