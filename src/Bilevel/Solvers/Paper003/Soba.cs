using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper003;

/// <summary>
/// Options of <see cref="Soba"/>. Paper 003 runs SOBA (Table 2) but gives no hyperparameters; the defaults are the
/// schedules of Dagréou et al. 2022 (SOBA, Theorem 1: ρ_t ∝ t^{−2/5} for y and z, γ_t ∝ t^{−3/5} for x) with scale 0.1,
/// and the batch of paper 003 Task 1 (1000).
/// </summary>
/// <param name="LowerStep">ρ_t, the common step of y and z (Dagréou et al. 2022, Algorithm 1; Theorem 1: ρ_t = ρ̄ t^{−2/5}).</param>
/// <param name="UpperStep">γ_t, the x step (Dagréou et al. 2022, Algorithm 1; Theorem 1: γ_t = γ̄ t^{−3/5}).</param>
/// <param name="BatchSize">Lower and upper mini-batch size (paper 003 Task 1: 1000); 0 or ≥ n: full batch.</param>
public sealed record SobaOptions(
    StepSize LowerStep,
    StepSize UpperStep,
    int BatchSize = 1000)
{
    public SobaOptions()
        : this(StepSize.Decaying(0.1, 0.4), StepSize.Decaying(0.1, 0.6))
    {
    }
}

/// <summary>
/// SOBA (Dagréou, Ablin, Vaiter, Moreau, NeurIPS 2022), the fully single-loop baseline of paper 003 Table 2 (update
/// rule: digest 003 §2.3 reference rule, from Dagréou et al. Algorithm 1). Per iteration, at (x_t, y_t, z_t) with one
/// lower batch B and one upper batch B': D_y = ∇y g(B), D_z = ∇²yy g(B) z + ∇y f(B'), D_x = ∇x f(B') + ∇²xy g(B) z;
/// then y ← y − ρ_t D_y, z ← z − ρ_t D_z, x ← x − γ_t D_x (simultaneous). z ≈ −[∇²yy g]⁻¹ ∇y f (paper 003 eq. 3 sign).
/// It equals LazyBLO with N = 1 up to the y/x order and the shared batches (paper 003 §5, "N = 1 … recovers").
/// </summary>
/// <remarks>
/// Cost per iteration: 1 ∇y g + 1 ∇x f + 1 ∇y f + 1 HVP + 1 cross (the HVP and cross product share one pass).
/// Choice: as in Dagréou et al. Algorithm 1, one lower sample set serves ∇y g, the HVP and the cross product, and one
/// upper sample set serves ∇x f and ∇y f (the digest's "fresh batches" is read per iteration, not per oracle).
/// </remarks>
public sealed class Soba : BilevelSolver<SobaOptions, Soba.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "soba", "SOBA", "003", "Paper 003, Table 2 baseline; Dagréou et al. 2022, Algorithm 1 (directions D_y, D_z, D_x)",
        LoopStructure.FullySingleLoop, Stochastic: true, "1 ∇y g + 1 ∇x f + 1 ∇y f + 1 HVP + 1 cross");

    public Soba(SobaOptions options)
        : base(options)
    {
        options.LowerStep.Validate(nameof(options.LowerStep));
        options.UpperStep.Validate(nameof(options.UpperStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options.BatchSize);

    protected override void Advance(State state)
    {
        SobaDirections.Compute(state.Problem, state.X, state.Y, state.Z, state.LowerBatchSource.Next(), state.UpperBatchSource.Next(), state.Directions);
        var rho = Options.LowerStep.At(state.Iteration);
        Vectors.Axpy(-rho, state.Directions.Lower, state.Y);
        Vectors.Axpy(-rho, state.Directions.LinearSystem, state.Z);
        Vectors.Axpy(-Options.UpperStep.At(state.Iteration), state.Directions.Upper, state.X);
        state.UpperSteps++;
    }

    /// <summary>SOBA's state: x, y, z and the batch streams.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, int batchSize)
            : base(context)
        {
            LowerBatchSource = LowerBatches(batchSize);
            UpperBatchSource = UpperBatches(batchSize);
            Z = new double[context.Problem.LowerDimension];
            Directions = new SobaDirections(context.Problem);
        }

        /// <summary>z ≈ −[∇²yy g]⁻¹ ∇y f (z_0 = 0).</summary>
        public double[] Z { get; }

        /// <summary>The last directions D_y, D_z, D_x.</summary>
        public SobaDirections Directions { get; }

        internal BatchSource LowerBatchSource { get; }

        internal BatchSource UpperBatchSource { get; }
    }
}

/// <summary>
/// The three SOBA directions at (x, y, z) (Dagréou et al. 2022, Algorithm 1; shared by <see cref="Soba"/> and
/// <see cref="MaSoba"/>): D_y = ∇y g, D_z = ∇²yy g z + ∇y f, D_x = ∇x f + ∇²xy g z. Cost: 1 ∇y g + 1 ∇x f + 1 ∇y f +
/// 1 HVP + 1 cross.
/// </summary>
public sealed class SobaDirections
{
    internal SobaDirections(Bilevel.Problems.BilevelProblem problem)
    {
        Lower = new double[problem.LowerDimension];
        LinearSystem = new double[problem.LowerDimension];
        Upper = new double[problem.UpperDimension];
        Cross = new double[problem.UpperDimension];
        UpperGradientY = new double[problem.LowerDimension];
    }

    /// <summary>D_y = ∇y g(x, y).</summary>
    public double[] Lower { get; }

    /// <summary>D_z = ∇²yy g(x, y) z + ∇y f(x, y).</summary>
    public double[] LinearSystem { get; }

    /// <summary>D_x = ∇x f(x, y) + ∇²xy g(x, y) z.</summary>
    public double[] Upper { get; }

    private double[] Cross { get; }

    private double[] UpperGradientY { get; }

    internal static void Compute(Bilevel.Problems.BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z,
        Bilevel.Problems.Batch lowerBatch, Bilevel.Problems.Batch upperBatch, SobaDirections d)
    {
        problem.LowerGradientY(x, y, d.Lower, lowerBatch);
        problem.LowerHvpAndCrossProduct(x, y, z, d.LinearSystem, d.Cross, lowerBatch);
        problem.UpperGradients(x, y, d.Upper, d.UpperGradientY, upperBatch);
        Vectors.Axpy(1, d.UpperGradientY, d.LinearSystem);
        Vectors.Axpy(1, d.Cross, d.Upper);
    }
}
