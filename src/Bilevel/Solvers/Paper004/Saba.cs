using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper004;

/// <summary>
/// Options of <see cref="Saba"/>. Defaults: paper 004 App. F.1 (hyper-representation, an RNN), where SABA is tuned with
/// the same rates as SOBA: lower (y) step 0.05, upper (x) step 0.05, linear-system (z) step 0.01; batch 64 per level
/// as F.2 uses "for all algorithms". Those values are for RNNs; the convergence check on the finite-sum quadratic
/// uses single-sample SAGA batches with its own constant steps (see its note in the catalog).
/// </summary>
/// <param name="LowerStep">ρ, the step on y along D_y (Dagréou et al. 2022, SOBA/SABA update; paper 004 F.1: 0.05).</param>
/// <param name="UpperStep">γ, the step on x along D_x (paper 004 F.1: 0.05). Constant in SABA's analysis.</param>
/// <param name="LinearSystemStep">The step on z along D_z (paper 004 F.1 tunes it separately: 0.01; Dagréou et al. use ρ).</param>
/// <param name="LowerBatchSize">Lower samples i per iteration, drawn uniformly and independently at every iteration as SAGA does, each a single-sample oracle with its own memory (F.2: 64; SAGA: 1).</param>
/// <param name="UpperBatchSize">Upper samples j per iteration, each with its own SAGA memory (F.2: 64; SAGA: 1).</param>
public sealed record SabaOptions(
    StepSize LowerStep,
    StepSize UpperStep,
    StepSize LinearSystemStep,
    int LowerBatchSize = 64,
    int UpperBatchSize = 64)
{
    public SabaOptions()
        : this(StepSize.Constant(0.05), StepSize.Constant(0.05), StepSize.Constant(0.01))
    {
    }
}

/// <summary>
/// SABA (Dagréou, Ablin, Vaiter, Moreau 2022, "A framework for bilevel optimization that enables stochastic and global
/// variance reduction algorithms"), a baseline of paper 004 (App. F, tuning lists): SOBA's joint update of y, z and x
/// where each of the five oracles is replaced by a SAGA estimator over the finite sums g = (1/n) Σᵢ Gᵢ and
/// f = (1/m) Σⱼ Fⱼ (paper 004 digest §2.6, a rule the paper does not write down). With per-sample memories wᵢ of
/// ∇y Gᵢ, ∇²yy Gᵢ z and ∇²xy Gᵢ z, and wⱼ of ∇x Fⱼ and ∇y Fⱼ, each estimate at (x_t, y_t, z_t) is
/// (1/b) Σ_{i∈B} (oᵢ(x_t, y_t, z_t) − wᵢ) + (1/n) Σ_{i'} w_{i'}, after which wᵢ ← oᵢ(x_t, y_t, z_t). Then
/// D_y = ∇y G, D_z = ∇²yy G z − ∇y F, D_x = ∇x F − ∇²xy G z (z = −v of the original) and
/// y ← y − ρ D_y, z ← z − ν D_z, x ← x − γ D_x, all from the same (x_t, y_t, z_t).
/// </summary>
/// <remarks>
/// <para>
/// Cost per iteration: b_g (∇y g + HVP + cross) + b_f (∇x f + ∇y f), each a single-sample call (b_g, b_f the batch
/// sizes). Start: the memories are filled at (x₀, y₀, z₀ = 0), n (∇y g + HVP + cross) + m (∇x f + ∇y f) single-sample
/// calls (a choice: the digest does not say how the memories start; zero memories would bias the first estimates).
/// </para>
/// <para>
/// Sampling: each iteration draws its indices uniformly and independently of earlier iterations (SAGA's rule, with
/// <see cref="UniformSampler"/>), not by walking through reshuffled epochs: on the check problem the epoch walk made
/// SABA diverge at steps (ρ, γ, ν) = (0.01, 0.002, 0.01) where i.i.d. draws converge.
/// </para>
/// <para>
/// The memory tables need the problem's samples (<see cref="BilevelProblem.LowerSampleCount"/>,
/// <see cref="BilevelProblem.UpperSampleCount"/>) and take n (2 dy + dx) + m (dx + dy) doubles.
/// </para>
/// </remarks>
public sealed class Saba : BilevelSolver<SabaOptions, Saba.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "saba", "SABA", "004",
        "Paper 004, App. F baseline (Dagréou et al. 2022, SABA: SOBA with SAGA estimators for ∇y G, HVP, cross, ∇x F, ∇y F; digest §2.6)",
        LoopStructure.FullySingleLoop, Stochastic: true,
        "b_g (∇y g + HVP + cross) + b_f (∇x f + ∇y f) single-sample calls; start: n (∇y g + HVP + cross) + m (∇x f + ∇y f)");

    public Saba(SabaOptions options)
        : base(options)
    {
        options.LowerStep.Validate(nameof(options.LowerStep));
        options.UpperStep.Validate(nameof(options.UpperStep));
        options.LinearSystemStep.Validate(nameof(options.LinearSystemStep));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.LowerBatchSize, nameof(options.LowerBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.UpperBatchSize, nameof(options.UpperBatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context)
    {
        var state = new State(context, Options);
        var problem = state.Problem;
        var dx = problem.UpperDimension;
        var dy = problem.LowerDimension;
        for (var i = 0; i < state.LowerCount; i++)
        {
            var batch = state.Single(i);
            problem.LowerGradientY(state.X, state.Y, state.LowerGradientMemory.AsSpan(i * dy, dy), batch);
            problem.LowerHvpAndCrossProduct(state.X, state.Y, state.Z, state.HvpMemory.AsSpan(i * dy, dy), state.CrossMemory.AsSpan(i * dx, dx), batch);
        }

        for (var j = 0; j < state.UpperCount; j++)
        {
            problem.UpperGradients(state.X, state.Y, state.UpperGradientXMemory.AsSpan(j * dx, dx), state.UpperGradientYMemory.AsSpan(j * dy, dy), state.Single(j));
        }

        Average(state.LowerGradientMemory, state.LowerCount, state.LowerGradientMean);
        Average(state.HvpMemory, state.LowerCount, state.HvpMean);
        Average(state.CrossMemory, state.LowerCount, state.CrossMean);
        Average(state.UpperGradientXMemory, state.UpperCount, state.UpperGradientXMean);
        Average(state.UpperGradientYMemory, state.UpperCount, state.UpperGradientYMean);
        return state;
    }

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var k = state.Iteration;
        var x = state.X;
        var y = state.Y;
        var z = state.Z;
        var dx = problem.UpperDimension;
        var dy = problem.LowerDimension;

        // The estimates start from the memory means (the old ones: SAGA adds the mean before this step's updates).
        state.LowerGradientMean.CopyTo(state.DirectionY, 0);
        state.HvpMean.CopyTo(state.EstimateHvp, 0);
        state.CrossMean.CopyTo(state.EstimateCross, 0);
        state.UpperGradientXMean.CopyTo(state.EstimateUpperX, 0);
        state.UpperGradientYMean.CopyTo(state.EstimateUpperY, 0);

        var lower = state.LowerIndices();
        var inverseLowerBatch = 1.0 / lower.Length;
        var inverseLowerCount = 1.0 / state.LowerCount;
        foreach (var i in lower)
        {
            var batch = state.Single(i);
            problem.LowerGradientY(x, y, state.Gradient, batch);
            problem.LowerHvpAndCrossProduct(x, y, z, state.Hvp, state.Cross, batch);
            Saga(state.Gradient, state.LowerGradientMemory.AsSpan(i * dy, dy), state.LowerGradientMean, state.DirectionY, inverseLowerBatch, inverseLowerCount);
            Saga(state.Hvp, state.HvpMemory.AsSpan(i * dy, dy), state.HvpMean, state.EstimateHvp, inverseLowerBatch, inverseLowerCount);
            Saga(state.Cross, state.CrossMemory.AsSpan(i * dx, dx), state.CrossMean, state.EstimateCross, inverseLowerBatch, inverseLowerCount);
        }

        var upper = state.UpperIndices();
        var inverseUpperBatch = 1.0 / upper.Length;
        var inverseUpperCount = 1.0 / state.UpperCount;
        foreach (var j in upper)
        {
            problem.UpperGradients(x, y, state.UpperX, state.UpperY, state.Single(j));
            Saga(state.UpperX, state.UpperGradientXMemory.AsSpan(j * dx, dx), state.UpperGradientXMean, state.EstimateUpperX, inverseUpperBatch, inverseUpperCount);
            Saga(state.UpperY, state.UpperGradientYMemory.AsSpan(j * dy, dy), state.UpperGradientYMean, state.EstimateUpperY, inverseUpperBatch, inverseUpperCount);
        }

        // Joint update from (x_t, y_t, z_t).
        Vectors.Axpy(-Options.LowerStep.At(k), state.DirectionY, y);
        var nu = Options.LinearSystemStep.At(k);
        for (var i = 0; i < dy; i++)
        {
            z[i] -= nu * (state.EstimateHvp[i] - state.EstimateUpperY[i]);
        }

        var gamma = Options.UpperStep.At(k);
        for (var i = 0; i < dx; i++)
        {
            state.DirectionX[i] = state.EstimateUpperX[i] - state.EstimateCross[i];
            x[i] -= gamma * state.DirectionX[i];
        }

        state.UpperSteps++;
    }

    /// <summary>estimate += (o − w)/b; mean += (o − w)/n; w ← o.</summary>
    private static void Saga(ReadOnlySpan<double> oracle, Span<double> memory, Span<double> mean, Span<double> estimate, double inverseBatch, double inverseCount)
    {
        for (var d = 0; d < oracle.Length; d++)
        {
            var change = oracle[d] - memory[d];
            estimate[d] += change * inverseBatch;
            mean[d] += change * inverseCount;
            memory[d] = oracle[d];
        }
    }

    private static void Average(double[] memory, int count, double[] mean)
    {
        var dimension = mean.Length;
        Array.Clear(mean);
        for (var i = 0; i < count; i++)
        {
            Vectors.Axpy(1.0 / count, memory.AsSpan(i * dimension, dimension), mean);
        }
    }

    /// <summary>SABA's state: x, y, z, the SAGA memory tables with their means, the sample streams and scratch.</summary>
    public sealed class State : SolverState
    {
        private const int LowerSamplerStream = 4_004_000;
        private const int UpperSamplerStream = 4_004_001;
        private readonly Batch[] _singles;

        internal State(SolverContext context, SabaOptions options)
            : base(context)
        {
            var problem = context.Problem;
            var dx = problem.UpperDimension;
            var dy = problem.LowerDimension;
            LowerCount = problem.LowerSampleCount;
            UpperCount = problem.UpperSampleCount;
            LowerSamples = new UniformSampler(LowerCount, options.LowerBatchSize, Data.SeedStreams.Derive(context.Seed, LowerSamplerStream));
            UpperSamples = new UniformSampler(UpperCount, options.UpperBatchSize, Data.SeedStreams.Derive(context.Seed, UpperSamplerStream));
            var most = Math.Max(LowerCount, UpperCount);
            _singles = new Batch[most];
            for (var i = 0; i < most; i++)
            {
                _singles[i] = Batch.Of([i]);
            }

            Z = new double[dy];
            LowerGradientMemory = new double[LowerCount * dy];
            HvpMemory = new double[LowerCount * dy];
            CrossMemory = new double[LowerCount * dx];
            UpperGradientXMemory = new double[UpperCount * dx];
            UpperGradientYMemory = new double[UpperCount * dy];
            LowerGradientMean = new double[dy];
            HvpMean = new double[dy];
            CrossMean = new double[dx];
            UpperGradientXMean = new double[dx];
            UpperGradientYMean = new double[dy];
            DirectionY = new double[dy];
            DirectionX = new double[dx];
            EstimateHvp = new double[dy];
            EstimateCross = new double[dx];
            EstimateUpperX = new double[dx];
            EstimateUpperY = new double[dy];
            Gradient = new double[dy];
            Hvp = new double[dy];
            Cross = new double[dx];
            UpperX = new double[dx];
            UpperY = new double[dy];
        }

        /// <summary>z ≈ [∇²yy g]⁻¹ ∇y f (−v of Dagréou et al.); z₀ = 0.</summary>
        public double[] Z { get; }

        /// <summary>The last upper direction D_x, the SAGA estimate of the hypergradient at (x_t, y_t, z_t).</summary>
        public double[] DirectionX { get; }

        /// <summary>The last lower direction D_y, the SAGA estimate of ∇y g.</summary>
        public double[] DirectionY { get; }

        internal int LowerCount { get; }

        internal int UpperCount { get; }

        internal UniformSampler LowerSamples { get; }

        internal UniformSampler UpperSamples { get; }

        internal double[] LowerGradientMemory { get; }

        internal double[] HvpMemory { get; }

        internal double[] CrossMemory { get; }

        internal double[] UpperGradientXMemory { get; }

        internal double[] UpperGradientYMemory { get; }

        internal double[] LowerGradientMean { get; }

        internal double[] HvpMean { get; }

        internal double[] CrossMean { get; }

        internal double[] UpperGradientXMean { get; }

        internal double[] UpperGradientYMean { get; }

        internal double[] EstimateHvp { get; }

        internal double[] EstimateCross { get; }

        internal double[] EstimateUpperX { get; }

        internal double[] EstimateUpperY { get; }

        internal double[] Gradient { get; }

        internal double[] Hvp { get; }

        internal double[] Cross { get; }

        internal double[] UpperX { get; }

        internal double[] UpperY { get; }

        /// <summary>The single-sample batch {i}.</summary>
        internal Batch Single(int i) => _singles[i];

        /// <summary>This iteration's lower sample indices: distinct, uniform, independent of earlier draws.</summary>
        internal ReadOnlySpan<int> LowerIndices() => LowerSamples.Next();

        /// <summary>This iteration's upper sample indices.</summary>
        internal ReadOnlySpan<int> UpperIndices() => UpperSamples.Next();
    }
}
