using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper003;

/// <summary>
/// Options of <see cref="Mrbo"/>. Defaults: paper 003 App. B.2, Task 1: α = β = 0.1, Neumann step η = 0.5 (its
/// "Hessian update stepsize" γ), Q = 12, batch 1000; the schedule and momentum constants of the MRVRBO reference code
/// the paper follows (digest 003 §2.3): η_k = (m/(k + m))^{1/3} with m = 0.1, i.e. 0.1^{1/3}/(k + 0.1)^{1/3}, and
/// c_ρ = c_θ = 0.9.
/// </summary>
/// <param name="UpperStep">α (MRBO's γ), the x step x_{k+1} = x_k − α η_k u_k (Yang, Ji &amp; Liang 2021, Algorithm 1); Task 1: 0.1.</param>
/// <param name="LowerStep">β (MRBO's λ), the y step y_{k+1} = y_k − β η_k v_k (Algorithm 1); Task 1: 0.1.</param>
/// <param name="Schedule">η_k = t/(m + k)^{1/3} (Algorithm 1, Theorem 1); reference code: 0.1^{1/3}/(k + 0.1)^{1/3}.</param>
/// <param name="LowerMomentum">c_ρ: the y-estimator weight ρ_{k+1} = min(1, c_ρ η_k²) (Algorithm 1; reference code 0.9).</param>
/// <param name="UpperMomentum">c_θ: the x-estimator weight θ_{k+1} = min(1, c_θ η_k²) (Algorithm 1; reference code 0.9).</param>
/// <param name="NeumannStep">η of the Neumann series in the hypergradient estimate, eq. (4) (Task 1 "Hessian update stepsize": 0.5).</param>
/// <param name="NeumannTerms">Q, HVPs per hypergradient estimate, eq. (4) (Task 1: 12).</param>
/// <param name="BatchSize">Size of every mini-batch (Task 1: 1000); 0 or ≥ n: full batch.</param>
public sealed record MrboOptions(
    double UpperStep = 0.1,
    double LowerStep = 0.1,
    StepSize Schedule = default,
    double LowerMomentum = 0.9,
    double UpperMomentum = 0.9,
    double NeumannStep = 0.5,
    int NeumannTerms = 12,
    int BatchSize = 1000)
{
    public MrboOptions()
        : this(Schedule: StepSize.Decaying(Math.Cbrt(0.1), 1.0 / 3, 0.1))
    {
    }
}

/// <summary>
/// MRBO (Yang, Ji &amp; Liang, NeurIPS 2021, "Provably faster algorithms for bilevel optimization"), Algorithm 1, the
/// momentum baseline of paper 003 §6 (update rule: digest 003 §2.3 reference rule). Iteration k draws batches B_y
/// (∇y g) and B̄_x (one upper batch for ∇x f and ∇y f, one lower batch for the cross product, Q lower batches for
/// the Neumann factors) and forms the STORM estimators, each ĝ evaluated on the same batches at (x_k, y_k) and
/// (x_{k−1}, y_{k−1}):
/// v_k = ∇y g(x_k, y_k) + (1 − ρ_k)(v_{k−1} − ∇y g(x_{k−1}, y_{k−1})),
/// u_k = ĥ(x_k, y_k) + (1 − θ_k)(u_{k−1} − ĥ(x_{k−1}, y_{k−1})) (k = 0: v_0 = ∇y g, u_0 = ĥ at (x_0, y_0)),
/// with ĥ = ∇x f − ∇²xy g · η Σ_{q=0}^{Q} Π (I − η ∇²yy g(ζ_j)) ∇y f (eq. 4); then x_{k+1} = x_k − α η_k u_k and
/// y_{k+1} = y_k − β η_k v_k.
/// </summary>
/// <remarks>
/// Cost per iteration: k = 0: 1 ∇y g + 1 ∇x f + 1 ∇y f + Q HVP + 1 cross; k ≥ 1: twice that, 2 ∇y g + 2 ∇x f +
/// 2 ∇y f + 2Q HVP + 2 cross (every estimator at the current and the previous point).
/// Choice: the reference code's quirk of forming the Neumann sum as η r_Q + Σ r_i is not followed; the paper's
/// eq. (4) sum η Σ_{i=0}^{Q} r_i is used.
/// </remarks>
public sealed class Mrbo : BilevelSolver<MrboOptions, Mrbo.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "mrbo", "MRBO", "003", "Paper 003, §6 / App. B.1 baseline; Yang, Ji & Liang 2021, Algorithm 1 with the Neumann estimate of eq. (4)",
        LoopStructure.SingleLoop, Stochastic: true, "k = 0: 1 ∇y g + 1 ∇x f + 1 ∇y f + Q HVP + 1 cross; k ≥ 1: 2 ∇y g + 2 ∇x f + 2 ∇y f + 2Q HVP + 2 cross");

    public Mrbo(MrboOptions options)
        : base(options)
    {
        OptionChecks.Positive(options.UpperStep, nameof(options.UpperStep));
        OptionChecks.Positive(options.LowerStep, nameof(options.LowerStep));
        options.Schedule.Validate(nameof(options.Schedule));
        OptionChecks.Positive(options.LowerMomentum, nameof(options.LowerMomentum));
        OptionChecks.Positive(options.UpperMomentum, nameof(options.UpperMomentum));
        OptionChecks.Positive(options.NeumannStep, nameof(options.NeumannStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.NeumannTerms, nameof(options.NeumannTerms));
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize, nameof(options.BatchSize));
    }

    public override SolverInfo Info => Description;

    protected override State CreateState(SolverContext context) => new(context, Options.BatchSize);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var k = state.Iteration;
        var lowerBatch = state.LowerGradientBatches.Next();
        var upperBatch = state.UpperBatchSource.Next();
        var crossBatch = state.CrossBatches.Next();
        if (k == 0)
        {
            problem.LowerGradientY(state.X, state.Y, state.LowerEstimate, lowerBatch);
            Hypergradients(state, upperBatch, crossBatch, previous: false);
        }
        else
        {
            // ρ_k = c_ρ η_{k−1}², θ_k = c_θ η_{k−1}² (Algorithm 1: α_{k+1} = c₁ η_k², β_{k+1} = c₂ η_k²).
            var eta = Options.Schedule.At(k - 1);
            var rho = Math.Min(1, Options.LowerMomentum * eta * eta);
            var theta = Math.Min(1, Options.UpperMomentum * eta * eta);
            problem.LowerGradientY(state.X, state.Y, state.LowerCurrent, lowerBatch);
            problem.LowerGradientY(state.PreviousX, state.PreviousY, state.LowerPrevious, lowerBatch);
            StochasticUpdates.Storm(state.LowerEstimate, state.LowerCurrent, state.LowerPrevious, rho);
            Hypergradients(state, upperBatch, crossBatch, previous: true);
            StochasticUpdates.Storm(state.UpperEstimate, state.UpperCurrent, state.UpperPrevious, theta);
        }

        state.X.CopyTo(state.PreviousX, 0);
        state.Y.CopyTo(state.PreviousY, 0);
        var step = Options.Schedule.At(k);
        Vectors.Axpy(-Options.UpperStep * step, state.UpperEstimate, state.X);
        Vectors.Axpy(-Options.LowerStep * step, state.LowerEstimate, state.Y);
        state.UpperSteps++;
    }

    /// <summary>
    /// ĥ (eq. 4) at the current point into UpperCurrent (k = 0: straight into UpperEstimate) and, when
    /// <paramref name="previous"/>, at the previous point into UpperPrevious, with the same batches at both.
    /// </summary>
    private void Hypergradients(State s, Batch upperBatch, Batch crossBatch, bool previous)
    {
        var problem = s.Problem;
        var current = previous ? s.UpperCurrent : s.UpperEstimate;
        var eta = Options.NeumannStep;
        problem.UpperGradients(s.X, s.Y, current, s.TermCurrent, upperBatch);
        s.TermCurrent.CopyTo(s.SumCurrent, 0);
        if (previous)
        {
            problem.UpperGradients(s.PreviousX, s.PreviousY, s.UpperPrevious, s.TermPrevious, upperBatch);
            s.TermPrevious.CopyTo(s.SumPrevious, 0);
        }

        // r_0 = ∇y f; r_i = (I − η ∇²yy g(ζ_i)) r_{i−1}; v = η Σ_{i=0}^{Q} r_i, one ζ_i per factor shared by both points.
        for (var i = 0; i < Options.NeumannTerms; i++)
        {
            var hvpBatch = s.HvpBatches.Next();
            problem.LowerHvp(s.X, s.Y, s.TermCurrent, s.Product, hvpBatch);
            Vectors.Axpy(-eta, s.Product, s.TermCurrent);
            Vectors.Axpy(1, s.TermCurrent, s.SumCurrent);
            if (previous)
            {
                problem.LowerHvp(s.PreviousX, s.PreviousY, s.TermPrevious, s.Product, hvpBatch);
                Vectors.Axpy(-eta, s.Product, s.TermPrevious);
                Vectors.Axpy(1, s.TermPrevious, s.SumPrevious);
            }
        }

        problem.LowerCrossProduct(s.X, s.Y, s.SumCurrent, s.Cross, crossBatch);
        Vectors.Axpy(-eta, s.Cross, current);
        if (previous)
        {
            problem.LowerCrossProduct(s.PreviousX, s.PreviousY, s.SumPrevious, s.Cross, crossBatch);
            Vectors.Axpy(-eta, s.Cross, s.UpperPrevious);
        }
    }

    /// <summary>MRBO's state: x, y, the previous point, the two STORM estimators and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, int batchSize)
            : base(context)
        {
            var problem = context.Problem;
            int dx = problem.UpperDimension, dy = problem.LowerDimension;
            LowerGradientBatches = LowerBatches(batchSize);
            UpperBatchSource = UpperBatches(batchSize);
            CrossBatches = LowerBatches(batchSize);
            HvpBatches = LowerBatches(batchSize);
            PreviousX = new double[dx];
            PreviousY = new double[dy];
            UpperEstimate = new double[dx];
            LowerEstimate = new double[dy];
            UpperCurrent = new double[dx];
            UpperPrevious = new double[dx];
            LowerCurrent = new double[dy];
            LowerPrevious = new double[dy];
            TermCurrent = new double[dy];
            TermPrevious = new double[dy];
            SumCurrent = new double[dy];
            SumPrevious = new double[dy];
            Product = new double[dy];
            Cross = new double[dx];
        }

        /// <summary>u_k, the STORM estimate of the hypergradient (the x direction).</summary>
        public double[] UpperEstimate { get; }

        /// <summary>v_k, the STORM estimate of ∇y g (the y direction).</summary>
        public double[] LowerEstimate { get; }

        /// <summary>(x_{k−1}, y_{k−1}) after an iteration: the point the next STORM correction is evaluated at.</summary>
        public double[] PreviousX { get; }

        /// <summary>y_{k−1} (see <see cref="PreviousX"/>).</summary>
        public double[] PreviousY { get; }

        internal BatchSource LowerGradientBatches { get; }

        internal BatchSource UpperBatchSource { get; }

        internal BatchSource CrossBatches { get; }

        internal BatchSource HvpBatches { get; }

        internal double[] UpperCurrent { get; }

        internal double[] UpperPrevious { get; }

        internal double[] LowerCurrent { get; }

        internal double[] LowerPrevious { get; }

        internal double[] TermCurrent { get; }

        internal double[] TermPrevious { get; }

        internal double[] SumCurrent { get; }

        internal double[] SumPrevious { get; }

        internal double[] Product { get; }

        internal double[] Cross { get; }
    }
}
