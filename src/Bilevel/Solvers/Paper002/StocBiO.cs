using Bilevel.Numerics;

namespace Bilevel.Solvers.Paper002;

/// <summary>How stocBiO sizes the Q Hessian mini-batches B_1 … B_Q of Algorithm 3.</summary>
public enum HessianBatchRule
{
    /// <summary>|B_{Q+1−j}| = ⌈B Q (1 − ημ)^{j−1}⌉, j = 1 … Q (Proposition 3): the batch applied first is the largest.</summary>
    Decaying,

    /// <summary>Every |B_j| = B Q (the "uniform choice" §3.2 compares against, O(ε⁻¹ log²(1/ε)) samples).</summary>
    Uniform,
}

/// <summary>
/// Options of <see cref="StocBiO"/>. Defaults: paper 002 App. A.2 (20 Newsgroups): T = 10, Q = 10, η = 0.5, batch size
/// 100 (the "stocBiO-B" runs use B ∈ {100, 500, 1000, 2000}; 100 is the experiment code's default); the step sizes
/// there (100) are for that problem's scaling, so α = β = 0.1 here. The Hessian batches follow Proposition 3 with
/// B = 10, so that the largest Hessian batch B Q equals the batch size 100.
/// </summary>
/// <param name="InnerStep">α, the inner SGD step (Algorithm 2 line 5; Lemma 9: α = 2/(L + μ)).</param>
/// <param name="OuterStep">β, the outer step (Algorithm 2 line 11; Theorem 3: β = 1/(4 L_Φ)).</param>
/// <param name="InnerSteps">T, warm-started inner SGD steps per outer iteration (App. A.2: 10).</param>
/// <param name="NeumannSteps">Q, Hessian-vector products of Algorithm 3 (App. A.2: 10).</param>
/// <param name="NeumannStep">η, the Neumann-series step of eq. (5) (App. A.2: 0.5; Proposition 3 needs η ≤ 1/L).</param>
/// <param name="LowerBatchSize">S, samples of each inner SGD step (App. A.2: 100; 0 = full batch).</param>
/// <param name="UpperBatchSize">D_f, samples of ∇x F and ∇y F (App. A.2: 100; 0 = full batch).</param>
/// <param name="CrossBatchSize">D_g, samples of the Jacobian-vector product ∇²xy G v_Q (App. A.2: 100; 0 = full batch).</param>
/// <param name="HessianBatchBase">B of Proposition 3: the largest Hessian batch is B Q (default 10: B Q = 100).</param>
/// <param name="HessianBatches">Decaying (Proposition 3) or Uniform Hessian batch sizes.</param>
/// <param name="StrongConvexity">μ in the decay factor (1 − ημ) of Proposition 3 (a problem constant the paper's experiments do not state; 1 = the check problem's μ).</param>
public sealed record StocBiOOptions(
    StepSize InnerStep,
    StepSize OuterStep,
    int InnerSteps = 10,
    int NeumannSteps = 10,
    double NeumannStep = 0.5,
    int LowerBatchSize = 100,
    int UpperBatchSize = 100,
    int CrossBatchSize = 100,
    double HessianBatchBase = 10,
    HessianBatchRule HessianBatches = HessianBatchRule.Decaying,
    double StrongConvexity = 1)
{
    public StocBiOOptions()
        : this(StepSize.Constant(0.1), StepSize.Constant(0.1))
    {
    }
}

/// <summary>
/// stocBiO, paper 002 Algorithm 2 with Algorithm 3: per outer iteration k, T warm-started SGD steps
/// y^t = y^{t−1} − α ∇y G(x_k, y^{t−1}; S_{t−1}); v_0 = ∇y F(x_k, y^T; D_F); the Neumann estimate of eq. (5),
/// r_Q = v_0, r_{i−1} = r_i − η ∇²yy G(x_k, y^T; B_i) r_i for i = Q … 1, v_Q = η Σ_{i=0}^{Q} r_i, with mutually
/// independent batches B_i; ∇̂Φ = ∇x F(x_k, y^T; D_F) − ∇²xy G(x_k, y^T; D_G) v_Q (eq. 6); x_{k+1} = x_k − β ∇̂Φ.
/// </summary>
/// <remarks>
/// Cost per iteration: T ∇y g + 1 ∇x f + 1 ∇y f + Q HVP + 1 cross, on S, D_f (∇x F and ∇y F from the same batch, as
/// eq. 6), Σ_j |B_j| and D_g samples. Batch sizes: Proposition 3 writes |B_{Q+1−j}| = B Q (1 − ημ)^{j−1}, which is not
/// an integer in general; it is rounded up here (and a size ≥ n is the full batch). Proposition 3's decay needs μ,
/// which the solver cannot know: it is the <see cref="StocBiOOptions.StrongConvexity"/> option. Paper vs code: the
/// authors' code reuses one Hessian batch for all Q products and forms η r_0 + Σ_{i≥1} r_i; this follows the
/// paper (Algorithm 3, eq. 5).
/// </remarks>
public sealed class StocBiO : BilevelSolver<StocBiOOptions, StocBiO.State>
{
    /// <summary>Name, citation, loop structure and cost.</summary>
    public static readonly SolverInfo Description = new(
        "stocbio", "stocBiO", "002", "Paper 002, Algorithms 2 and 3, eqs. (5)–(6); Hessian batches of Proposition 3",
        LoopStructure.DoubleLoop, Stochastic: true, "T ∇y g + 1 ∇x f + 1 ∇y f + Q HVP + 1 cross");

    public StocBiO(StocBiOOptions options)
        : base(options)
    {
        options.InnerStep.Validate(nameof(options.InnerStep));
        options.OuterStep.Validate(nameof(options.OuterStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InnerSteps, nameof(options.InnerSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(options.NeumannSteps, nameof(options.NeumannSteps));
        OptionChecks.Positive(options.NeumannStep, nameof(options.NeumannStep));
        ArgumentOutOfRangeException.ThrowIfNegative(options.LowerBatchSize, nameof(options.LowerBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.UpperBatchSize, nameof(options.UpperBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CrossBatchSize, nameof(options.CrossBatchSize));
        OptionChecks.Positive(options.HessianBatchBase, nameof(options.HessianBatchBase));
        OptionChecks.Require(options.HessianBatches != HessianBatchRule.Decaying || (options.StrongConvexity > 0 && options.NeumannStep * options.StrongConvexity < 1),
            nameof(options.StrongConvexity), $"StrongConvexity must satisfy 0 < ημ < 1 for decaying Hessian batches, got μ = {options.StrongConvexity} with η = {options.NeumannStep}");
    }

    public override SolverInfo Info => Description;

    /// <summary>|B_i|, the size of the i-th Hessian batch of Algorithm 3 (i = 1 … Q; B_Q is applied first).</summary>
    public int HessianBatchSize(int i)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(i, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(i, Options.NeumannSteps);
        var largest = Options.HessianBatchBase * Options.NeumannSteps;
        if (Options.HessianBatches == HessianBatchRule.Uniform)
        {
            return Math.Max(1, (int)Math.Ceiling(largest));
        }

        // i = Q + 1 − j  ⇔  j − 1 = Q − i.
        var size = largest * Math.Pow(1 - (Options.NeumannStep * Options.StrongConvexity), Options.NeumannSteps - i);
        return Math.Max(1, (int)Math.Ceiling(size));
    }

    protected override State CreateState(SolverContext context) => new(context, this);

    protected override void Advance(State state)
    {
        var problem = state.Problem;
        var x = state.X;
        var y = state.Y;
        var eta = Options.NeumannStep;
        LowerSteps.Descend(problem, x, y, Options.InnerSteps, Options.InnerStep, state.LowerSamples, state.LowerGradient);

        // v_0 = ∇y F(D_F); ∇x F on the same batch (eq. 6).
        problem.UpperGradients(x, y, state.Hypergradient, state.Residual, state.UpperSamples.Next());

        // Algorithm 3: r_Q = v_0; r_{i−1} = r_i − η H_i r_i, i = Q … 1; v_Q = η Σ r_i.
        var v = state.V.AsSpan();
        v.Clear();
        Vectors.Axpy(eta, state.Residual, v);
        for (var i = Options.NeumannSteps; i >= 1; i--)
        {
            problem.LowerHvp(x, y, state.Residual, state.Product, state.HessianSamples[i - 1].Next());
            Vectors.Axpy(-eta, state.Product, state.Residual);
            Vectors.Axpy(eta, state.Residual, v);
        }

        problem.LowerCrossProduct(x, y, v, state.Cross, state.CrossSamples.Next());
        Vectors.Axpy(-1, state.Cross, state.Hypergradient);
        Vectors.Axpy(-Options.OuterStep.At(state.Iteration), state.Hypergradient, x);
        state.UpperSteps++;
    }

    /// <summary>stocBiO's state: x, y, the Neumann vectors, one batch stream per role (and per Hessian batch) and scratch.</summary>
    public sealed class State : SolverState
    {
        internal State(SolverContext context, StocBiO solver)
            : base(context)
        {
            var problem = context.Problem;
            var options = solver.Options;
            LowerSamples = LowerBatches(options.LowerBatchSize);
            UpperSamples = UpperBatches(options.UpperBatchSize);
            HessianSamples = new BatchSource[options.NeumannSteps];
            for (var i = 1; i <= options.NeumannSteps; i++)
            {
                HessianSamples[i - 1] = LowerBatches(solver.HessianBatchSize(i));
            }

            CrossSamples = LowerBatches(options.CrossBatchSize);
            V = new double[problem.LowerDimension];
            Residual = new double[problem.LowerDimension];
            Product = new double[problem.LowerDimension];
            LowerGradient = new double[problem.LowerDimension];
            Hypergradient = new double[problem.UpperDimension];
            Cross = new double[problem.UpperDimension];
        }

        /// <summary>v_Q of Algorithm 3 ≈ [∇²yy g]⁻¹ ∇y f.</summary>
        public double[] V { get; }

        /// <summary>The last hypergradient estimate (eq. 6).</summary>
        public double[] Hypergradient { get; }

        internal BatchSource LowerSamples { get; }

        internal BatchSource UpperSamples { get; }

        /// <summary>B_1 … B_Q (index i − 1), each with its own size and stream.</summary>
        internal BatchSource[] HessianSamples { get; }

        internal BatchSource CrossSamples { get; }

        internal double[] Residual { get; }

        internal double[] Product { get; }

        internal double[] LowerGradient { get; }

        internal double[] Cross { get; }
    }
}
