using System.Diagnostics;
using System.Globalization;
using Bilevel.Hypergradients;
using Bilevel.LinearSolvers;
using Bilevel.Numerics;
using Bilevel.Problems;
using MathNet.Numerics.Random;

namespace Bilevel.Experiments;

/// <summary>The hypergradient estimators compared by <see cref="QuadraticCheck"/>.</summary>
public enum EstimatorKind
{
    /// <summary>Implicit-function formula with a direct solve at the exact y* (<see cref="ExactHypergradient"/>).</summary>
    Exact,

    /// <summary>FSLA's forward recursion, paper 000 eq. 9 (<see cref="ForwardRecursion"/>).</summary>
    Fsla,

    /// <summary>Neumann series with K terms at y_K, paper 000 Eq. 3 (AID + <see cref="NeumannSeries"/>).</summary>
    NeumannSeries,

    /// <summary>Fixed-point AID with K iterations at y_K (AID + <see cref="FixedPointIteration"/>).</summary>
    FixedPoint,

    /// <summary>Reverse-mode ITD through the K steps, paper 000 "BP" (<see cref="IterativeDifferentiation"/>).</summary>
    BackPropagation,

    /// <summary>ES-ITDM's Jacobian recursion, paper 001 eq. 5/6 (<see cref="JacobianRecursion"/>).</summary>
    JacobianRecursion,

    /// <summary>Conjugate gradient with K iterations at y_K (AID + <see cref="ConjugateGradient"/>).</summary>
    ConjugateGradient,
}

/// <summary>Settings of <see cref="QuadraticCheck"/>; the defaults are paper 000 §6.1's.</summary>
/// <param name="Seed">Seed of the data, λ and the synthetic start ω̃.</param>
/// <param name="Samples">Data rows n (paper: 10⁴).</param>
/// <param name="Dimension">d = dx = dy (paper: 5).</param>
/// <param name="NoiseVariance">Variance of the Gaussian noise (paper: 0.1).</param>
/// <param name="StepSize">Inner GD step and β of every estimator (paper: 2 × 10⁻⁵).</param>
/// <param name="Steps">K values of sets 1 and 3.</param>
/// <param name="SyntheticSteps">k values of set 2.</param>
/// <param name="Alphas">Rates α of set 2's sequences ω* + ω̃/k^α (paper: 2, 1, 0.5, 0.25).</param>
/// <param name="Repeats">Timing repeats per estimate (the median is reported).</param>
public sealed record QuadraticCheckOptions(
    int Seed = 0,
    int Samples = 10_000,
    int Dimension = 5,
    double NoiseVariance = 0.1,
    double StepSize = 2e-5,
    IReadOnlyList<int>? Steps = null,
    IReadOnlyList<int>? SyntheticSteps = null,
    IReadOnlyList<double>? Alphas = null,
    int Repeats = 3)
{
    /// <summary>K ∈ {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}.</summary>
    public static IReadOnlyList<int> DefaultSteps { get; } = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

    /// <summary>k from 1 to 1000, denser in [500, 1000] where the rate is fitted.</summary>
    public static IReadOnlyList<int> DefaultSyntheticSteps { get; } = [1, 2, 5, 10, 20, 50, 100, 200, 500, 600, 700, 800, 900, 1000];

    /// <summary>α ∈ {2, 1, 0.5, 0.25}.</summary>
    public static IReadOnlyList<double> DefaultAlphas { get; } = [2, 1, 0.5, 0.25];

    public IReadOnlyList<int> StepsOrDefault => Steps ?? DefaultSteps;

    public IReadOnlyList<int> SyntheticStepsOrDefault => SyntheticSteps ?? DefaultSyntheticSteps;

    public IReadOnlyList<double> AlphasOrDefault => Alphas ?? DefaultAlphas;
}

/// <summary>
/// One estimate of <see cref="QuadraticCheck"/>. Counts and time cover everything the estimate needs from
/// scratch, the K inner gradient steps included.
/// </summary>
/// <param name="Set">1: ω_k from K GD steps (paper Fig. 1 left); 2: ω_k = ω* + ω̃/k^α (Fig. 1 right); 3: ω = ω* exactly, so only the linear-system error remains (not in the paper).</param>
/// <param name="Estimator">Which estimator.</param>
/// <param name="Alpha">α of set 2; null otherwise.</param>
/// <param name="K">K (sets 1, 3) or k (set 2).</param>
/// <param name="SqError">‖∇̂f_K − ∇f‖², the paper's metric.</param>
/// <param name="RelError">‖∇̂f_K − ∇f‖ / ‖∇f‖.</param>
/// <param name="Grads">First-order gradient evaluations (∇x f, ∇y f, ∇y g, ∇x g).</param>
/// <param name="Hvps">Hessian-vector products.</param>
/// <param name="Jvps">Cross products ∇²xy g · v.</param>
/// <param name="Seconds">Median wall-clock time of the estimate from scratch.</param>
/// <param name="IncrementalProducts">HVPs + cross products to go from the estimate at K − 1 to the one at K: FSLA carries v forward; the others start over.</param>
public sealed record QuadraticCheckRow(
    int Set,
    EstimatorKind Estimator,
    double? Alpha,
    int K,
    double SqError,
    double RelError,
    long Grads,
    long Hvps,
    long Jvps,
    double Seconds,
    long IncrementalProducts);

/// <summary>The rows and the checked claims of one <see cref="QuadraticCheck"/> run.</summary>
/// <remarks><c>SweepSeconds</c>: time to produce the estimates at every K of the grid (FSLA in one streaming pass, the
/// others from scratch at each K). <c>NeumannBackPropagationGap</c>: max over K of ‖NS − BP‖ / ‖∇f‖ in set 1.</remarks>
public sealed record QuadraticCheckReport(
    QuadraticCheckOptions Options,
    string Problem,
    double ExactHypergradientNorm,
    double LowerStrongConvexity,
    double LowerSmoothness,
    IReadOnlyList<QuadraticCheckRow> Rows,
    IReadOnlyDictionary<EstimatorKind, double> SweepSeconds,
    double NeumannBackPropagationGap,
    IReadOnlyList<ClaimCheck> Claims);

/// <summary>
/// Paper 000 §6.1 (Figure 1): hypergradient estimation error at a fixed λ on the synthetic least-squares problem.
/// Set 1 runs K steps of gradient descent on the inner problem from ω_0 = 0 with step 2 × 10⁻⁵ and compares FSLA,
/// NS, BP and CG (plus FP, ES-ITDM and the exact formula); set 2 estimates by Corollary 3.1 (NS) along synthetic
/// sequences ω_k = ω* + ω̃/k^α; set 3 (added here) evaluates CG and NS at the exact ω* to separate the
/// linear-system error from the inner-solution error.
/// </summary>
/// <remarks>
/// Choices where the paper is silent (§6.1): U[0, 1) for "the Uniform distribution", ω_0 = 0, ω̃ ~ U[0, 1)^d,
/// β = the GD step for every estimator, and NS at K uses K terms (K − 1 HVPs) so that it coincides with BP.
/// </remarks>
public static class QuadraticCheck
{
    /// <summary>The estimators of set 1, in table order.</summary>
    public static IReadOnlyList<EstimatorKind> SetOneEstimators { get; } =
    [
        EstimatorKind.Exact, EstimatorKind.Fsla, EstimatorKind.NeumannSeries, EstimatorKind.FixedPoint,
        EstimatorKind.BackPropagation, EstimatorKind.JacobianRecursion, EstimatorKind.ConjugateGradient,
    ];

    /// <summary>Display name as in the papers.</summary>
    public static string DisplayName(EstimatorKind kind) => kind switch
    {
        EstimatorKind.Exact => "exact",
        EstimatorKind.Fsla => "FSLA",
        EstimatorKind.NeumannSeries => "NS",
        EstimatorKind.FixedPoint => "FP",
        EstimatorKind.BackPropagation => "BP",
        EstimatorKind.JacobianRecursion => "ES-ITDM",
        EstimatorKind.ConjugateGradient => "CG",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The estimator of <paramref name="kind"/> for K steps with step β.</summary>
    public static HypergradientMethod CreateEstimator(EstimatorKind kind, int k, double step) => kind switch
    {
        EstimatorKind.Exact => new ExactHypergradient(),
        EstimatorKind.Fsla => new ForwardRecursion(step),
        EstimatorKind.NeumannSeries => new ImplicitDifferentiation(new NeumannSeries(new NeumannSeriesOptions(Math.Max(0, k - 1), step)), "NS"),
        EstimatorKind.FixedPoint => new ImplicitDifferentiation(new FixedPointIteration(new FixedPointOptions(k, step)), "FP"),
        EstimatorKind.BackPropagation => new IterativeDifferentiation(),
        EstimatorKind.JacobianRecursion => new JacobianRecursion(step),
        EstimatorKind.ConjugateGradient => new ImplicitDifferentiation(new ConjugateGradient(new ConjugateGradientOptions(k)), "CG"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>How many progress reports <see cref="Run"/> makes (one per K of set 1, one per α of set 2, one for set 3).</summary>
    public static int ProgressSteps(QuadraticCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.StepsOrDefault.Count + options.AlphasOrDefault.Count + 1;
    }

    /// <summary>Runs all three sets. <paramref name="progress"/> receives a line per finished block.</summary>
    public static QuadraticCheckReport Run(QuadraticCheckOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var (problem, lambda) = LeastSquaresBilevelProblem.CreatePaper000(options.Seed, options.Samples, options.Dimension, options.NoiseVariance);
        var exact = new double[problem.UpperDimension];
        problem.ExactHypergradient(lambda, exact);
        var yStar = new double[problem.LowerDimension];
        problem.ExactLowerSolution(lambda, yStar);
        var (mu, smoothness) = problem.LowerCurvature(lambda);
        if (options.StepSize * smoothness >= 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StepSize,
                $"step size {options.StepSize:G4} is unstable: it must be below 2/L = {2 / smoothness:G4} for this problem");
        }

        var rows = new List<QuadraticCheckRow>();
        var estimate = new double[problem.UpperDimension];
        var nsBpGap = 0.0;
        var nsEstimate = new double[problem.UpperDimension];
        var start = new double[problem.LowerDimension];

        // Set 1: ω_k from K steps of GD from ω_0 = 0.
        foreach (var k in options.StepsOrDefault)
        {
            foreach (var kind in SetOneEstimators)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (counts, seconds) = Measure(options.Repeats, problem, () =>
                {
                    var method = CreateEstimator(kind, k, options.StepSize);
                    var trajectory = kind == EstimatorKind.Exact
                        ? LowerTrajectory.FromPoint(start)
                        : InnerGradientDescent.Run(problem, lambda, start, k, options.StepSize, method.NeedsHistory);
                    method.Estimate(problem, lambda, trajectory, estimate);
                });
                rows.Add(Row(1, kind, null, k, estimate, exact, counts, seconds, counts.SecondOrderProducts));
                if (kind == EstimatorKind.NeumannSeries)
                {
                    estimate.CopyTo(nsEstimate, 0);
                }
                else if (kind == EstimatorKind.BackPropagation)
                {
                    nsBpGap = Math.Max(nsBpGap, Vectors.Distance(estimate, nsEstimate) / Vectors.Norm(exact));
                }
            }

            progress?.Report($"set 1: K = {k} done");
        }

        var sweepSeconds = SweepSeconds(options, rows);
        var (streamingRows, streamingSeconds) = StreamingFsla(problem, lambda, options);
        sweepSeconds[EstimatorKind.Fsla] = streamingSeconds;
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Estimator == EstimatorKind.Fsla && streamingRows.TryGetValue(rows[i].K, out var incremental))
            {
                rows[i] = rows[i] with { IncrementalProducts = incremental };
            }
        }

        // Set 2: synthetic sequences ω_k = ω* + ω̃ / k^α, NS with k terms at ω_k (Corollary 3.1).
        var rng = new Xoshiro256StarStar(options.Seed + 1);
        var offset = new double[problem.LowerDimension];
        for (var i = 0; i < offset.Length; i++)
        {
            offset[i] = rng.NextDouble();
        }

        var point = new double[problem.LowerDimension];
        foreach (var alpha in options.AlphasOrDefault)
        {
            foreach (var k in options.SyntheticStepsOrDefault)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var scale = Math.Pow(k, -alpha);
                for (var i = 0; i < point.Length; i++)
                {
                    point[i] = yStar[i] + (offset[i] * scale);
                }

                var (counts, seconds) = Measure(options.Repeats, problem, () =>
                    CreateEstimator(EstimatorKind.NeumannSeries, k, options.StepSize)
                        .Estimate(problem, lambda, LowerTrajectory.FromPoint(point), estimate));
                rows.Add(Row(2, EstimatorKind.NeumannSeries, alpha, k, estimate, exact, counts, seconds, counts.SecondOrderProducts));
            }

            progress?.Report($"set 2: α = {alpha} done");
        }

        // Set 3: at the exact ω*, only the linear-system error remains.
        foreach (var k in options.StepsOrDefault)
        {
            foreach (var kind in new[] { EstimatorKind.ConjugateGradient, EstimatorKind.NeumannSeries })
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (counts, seconds) = Measure(options.Repeats, problem, () =>
                    CreateEstimator(kind, k, options.StepSize).Estimate(problem, lambda, LowerTrajectory.FromPoint(yStar), estimate));
                rows.Add(Row(3, kind, null, k, estimate, exact, counts, seconds, counts.SecondOrderProducts));
            }
        }

        progress?.Report("set 3 done");
        var claims = CheckClaims(options, rows, sweepSeconds, nsBpGap);
        return new QuadraticCheckReport(options, problem.Name, Vectors.Norm(exact), mu, smoothness, rows, sweepSeconds, nsBpGap, claims);
    }

    /// <summary>
    /// Least-squares slope of log(sqError) against log(k) over the set-2 rows of one α with k in [from, to].
    /// </summary>
    public static double FitSlope(IEnumerable<QuadraticCheckRow> rows, double alpha, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var points = new List<(double X, double Y)>();
        foreach (var row in rows)
        {
            if (row.Set == 2 && row.Alpha == alpha && row.K >= from && row.K <= to && row.SqError > 0)
            {
                points.Add((Math.Log(row.K), Math.Log(row.SqError)));
            }
        }

        if (points.Count < 2)
        {
            return double.NaN;
        }

        double meanX = 0, meanY = 0;
        foreach (var (x, y) in points)
        {
            meanX += x / points.Count;
            meanY += y / points.Count;
        }

        double sxy = 0, sxx = 0;
        foreach (var (x, y) in points)
        {
            sxy += (x - meanX) * (y - meanY);
            sxx += (x - meanX) * (x - meanX);
        }

        return sxy / sxx;
    }

    private static void Validate(QuadraticCheckOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Repeats);
        if (!(options.StepSize > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StepSize, "step size must be positive");
        }

        foreach (var k in options.StepsOrDefault.Concat(options.SyntheticStepsOrDefault))
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        }
    }

    private static (OracleCounts Counts, double Seconds) Measure(int repeats, BilevelProblem problem, Action action)
    {
        var times = new double[repeats];
        var counts = default(OracleCounts);
        for (var r = 0; r < repeats; r++)
        {
            var before = problem.Counter.Snapshot();
            var start = Stopwatch.GetTimestamp();
            action();
            times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            counts = problem.Counter.Snapshot() - before;
        }

        Array.Sort(times);
        return (counts, times[repeats / 2]);
    }

    private static QuadraticCheckRow Row(int set, EstimatorKind kind, double? alpha, int k, double[] estimate, double[] exact,
        OracleCounts counts, double seconds, long incremental) =>
        new(set, kind, alpha, k,
            Vectors.SquaredDistance(estimate, exact),
            Vectors.RelativeError(estimate, exact),
            counts.Gradients, counts.Hvps, counts.CrossProducts, seconds, incremental);

    private static Dictionary<EstimatorKind, double> SweepSeconds(QuadraticCheckOptions options, List<QuadraticCheckRow> rows)
    {
        var sweep = new Dictionary<EstimatorKind, double>();
        foreach (var row in rows)
        {
            if (row.Set == 1 && row.Estimator != EstimatorKind.Exact)
            {
                sweep[row.Estimator] = sweep.GetValueOrDefault(row.Estimator) + row.Seconds;
            }
        }

        return sweep;
    }

    /// <summary>
    /// FSLA as the paper runs it: one pass of GD that advances v once per step, reading out an estimate at every
    /// K of the grid. Returns the second-order products of the step into each K (GD step + advance + read-out)
    /// and the time of the whole pass (median over repeats).
    /// </summary>
    private static (Dictionary<int, long> Incremental, double Seconds) StreamingFsla(LeastSquaresBilevelProblem problem, double[] lambda, QuadraticCheckOptions options)
    {
        var grid = new HashSet<int>(options.StepsOrDefault);
        var kMax = options.StepsOrDefault.Max();
        var incremental = new Dictionary<int, long>();
        var times = new double[options.Repeats];
        var y = new double[problem.LowerDimension];
        var gradient = new double[problem.LowerDimension];
        var estimate = new double[problem.UpperDimension];
        for (var r = 0; r < options.Repeats; r++)
        {
            var recursion = new ForwardRecursion(options.StepSize);
            recursion.Reset(problem.LowerDimension);
            Array.Clear(y);
            var start = Stopwatch.GetTimestamp();
            for (var k = 1; k <= kMax; k++)
            {
                var before = problem.Counter.Snapshot();
                recursion.Advance(problem, lambda, y);
                problem.LowerGradientY(lambda, y, gradient);
                Vectors.Axpy(-options.StepSize, gradient, y);
                if (grid.Contains(k))
                {
                    recursion.Current(problem, lambda, y, estimate);
                    incremental[k] = (problem.Counter.Snapshot() - before).SecondOrderProducts;
                }
            }

            times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(times);
        return (incremental, times[options.Repeats / 2]);
    }

    private static List<ClaimCheck> CheckClaims(QuadraticCheckOptions options, List<QuadraticCheckRow> rows, Dictionary<EstimatorKind, double> sweepSeconds, double nsBpGap)
    {
        var claims = new List<ClaimCheck>();
        var inv = CultureInfo.InvariantCulture;
        var kMax = options.StepsOrDefault.Max();
        QuadraticCheckRow[] Series(int set, EstimatorKind kind) =>
            rows.Where(r => r.Set == set && r.Estimator == kind).OrderBy(r => r.K).ToArray();

        var exactWorst = Series(1, EstimatorKind.Exact).Max(r => r.RelError);
        claims.Add(new ClaimCheck(
            "The oracle-built implicit-function hypergradient equals the closed form (relative error ≤ 1e-12)",
            string.Format(inv, "max relError {0:E2}", exactWorst), exactWorst <= 1e-12));

        foreach (var kind in new[] { EstimatorKind.Fsla, EstimatorKind.NeumannSeries, EstimatorKind.BackPropagation, EstimatorKind.ConjugateGradient })
        {
            var series = Series(1, kind);
            var monotone = true;
            for (var i = 1; i < series.Length; i++)
            {
                monotone &= series[i].SqError <= series[i - 1].SqError;
            }

            var last = series[^1];
            var converged = last.RelError <= 1e-8;
            var requireMonotone = kind != EstimatorKind.ConjugateGradient;
            claims.Add(new ClaimCheck(
                $"Paper 000 §6.1 set 1: the {DisplayName(kind)} error converges" + (requireMonotone ? ", non-increasing in K," : string.Empty) + " to ≤ 1e-8 relative at K = " + kMax.ToString(inv),
                string.Format(inv, "relError {0:E2} at K = {1} → {2:E2} at K = {3}; non-increasing: {4}",
                    series[0].RelError, series[0].K, last.RelError, last.K, monotone ? "yes" : "no"),
                converged && (monotone || !requireMonotone)));
        }

        claims.Add(new ClaimCheck(
            "Paper 000 §6.1: BP and NS coincide on a quadratic (constant second derivatives)",
            string.Format(inv, "max over K of ‖NS − BP‖ / ‖∇f‖: {0:E2}", nsBpGap), nsBpGap <= 1e-10));

        var cgExact = rows.FirstOrDefault(r => r.Set == 3 && r.Estimator == EstimatorKind.ConjugateGradient && r.K == options.Dimension);
        if (cgExact is not null)
        {
            claims.Add(new ClaimCheck(
                string.Format(inv, "CG solves the d = {0} system exactly in {0} iterations (set 3, at ω*; relError ≤ 1e-10)", options.Dimension),
                string.Format(inv, "relError {0:E2} at K = {1}", cgExact.RelError, cgExact.K), cgExact.RelError <= 1e-10));
        }

        var cgGd = rows.FirstOrDefault(r => r.Set == 1 && r.Estimator == EstimatorKind.ConjugateGradient && r.K == options.Dimension);
        if (cgGd is not null)
        {
            claims.Add(new ClaimCheck(
                "For contrast, CG at ω_K from K GD steps (set 1) is limited by the inner error e_ω, not by CG",
                string.Format(inv, "set-1 CG relError {0:E2} at K = {1}", cgGd.RelError, cgGd.K), cgGd.RelError > 1e-10));
        }

        var fsla = Series(1, EstimatorKind.Fsla);
        var fslaIncremental = fsla.Max(r => r.IncrementalProducts);
        var restarting = new[] { EstimatorKind.NeumannSeries, EstimatorKind.BackPropagation }
            .Select(kind => (kind, Series(1, kind)[^1].IncrementalProducts)).ToArray();
        var cgIncremental = Series(1, EstimatorKind.ConjugateGradient)[^1].IncrementalProducts;
        claims.Add(new ClaimCheck(
            "Paper 000 §6.1: FSLA needs O(1) matrix-vector products per new K, NS and BP O(K) (CG stops once its residual vanishes, so at most min(K, …))",
            string.Format(inv, "products to go from K − 1 to K = {0}: FSLA {1}; ", kMax, fslaIncremental)
                + string.Join(", ", restarting.Select(o => string.Format(inv, "{0} {1}", DisplayName(o.kind), o.IncrementalProducts)))
                + string.Format(inv, "; CG {0}", cgIncremental),
            fslaIncremental <= 2 && restarting.All(o => o.IncrementalProducts >= kMax - 1)));

        var fslaSweep = sweepSeconds[EstimatorKind.Fsla];
        var slowerOthers = new[] { EstimatorKind.NeumannSeries, EstimatorKind.BackPropagation, EstimatorKind.ConjugateGradient }
            .Select(kind => (kind, sweepSeconds[kind])).ToArray();
        claims.Add(new ClaimCheck(
            "Paper 000 §6.1: FSLA takes less running time (estimates at every K of the grid, one pass vs. from scratch)",
            string.Format(inv, "FSLA {0:F4} s; ", fslaSweep)
                + string.Join(", ", slowerOthers.Select(o => string.Format(inv, "{0} {1:F4} s", DisplayName(o.kind), o.Item2))),
            slowerOthers.All(o => fslaSweep < o.Item2)));

        var from = 500;
        var to = options.SyntheticStepsOrDefault.Max();
        foreach (var alpha in options.AlphasOrDefault)
        {
            var slope = FitSlope(rows, alpha, from, to);
            claims.Add(new ClaimCheck(
                string.Format(inv, "Paper 000 Cor. 3.1 (set 2, α = {0}): the squared error falls like e_ω², slope −2α = {1} within 0.5 over k ∈ [{2}, {3}]", alpha, -2 * alpha, from, to),
                string.Format(inv, "fitted log-log slope {0:F3}", slope),
                Math.Abs(slope + (2 * alpha)) <= 0.5));
        }

        return claims;
    }
}
