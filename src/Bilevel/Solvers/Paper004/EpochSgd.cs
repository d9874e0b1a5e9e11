using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper004;

/// <summary>
/// The schedule of Epoch-SGD, paper 004 Algorithm 3 with eqs. (28)–(30) and λ of Lemma D.2 (eq. 38): the constants
/// it needs are V0 ≥ g(x₀, y^{0,0}) − g(x₀, y*(x₀)) (eq. 27), μ, L and σ_{g,1}.
/// </summary>
/// <param name="Epochs">k†, the number of epochs (0: no refinement).</param>
/// <param name="InitialGap">V0 of eq. (27).</param>
/// <param name="StrongConvexity">μ, the strong convexity of g in y.</param>
/// <param name="Smoothness">L, the smoothness of g.</param>
/// <param name="GradientNoise">σ_{g,1}, the (sub-Gaussian) noise level of ∇y G (Assumption 3); 0 for exact gradients.</param>
/// <param name="Confidence">δ of Lemma D.2, in (0, 1): λ = max(√(3 ln(2k†/δ)), ln(2k†/δ)).</param>
public sealed record EpochSgdSchedule(int Epochs, double InitialGap, double StrongConvexity, double Smoothness, double GradientNoise, double Confidence)
{
    /// <summary>Largest epoch length accepted (eq. 29 grows like 2^s).</summary>
    public const long MaxEpochLength = 100_000_000;

    /// <summary>λ = max(√(3 ln(2k†/δ)), ln(2k†/δ)) (eq. 38; 0 when k† = 0).</summary>
    public double Lambda
    {
        get
        {
            if (Epochs == 0)
            {
                return 0;
            }

            var log = Math.Log(2.0 * Epochs / Confidence);
            return Math.Max(Math.Sqrt(3 * Math.Max(log, 0)), log);
        }
    }

    /// <summary>Radius of B_s: ½‖y − y^{s,0}‖² ≤ V0/(μ 2^s), i.e. √(2 V0 / (μ 2^s)) (eq. 28).</summary>
    public double Radius(int s) => Math.Sqrt(2 * InitialGap / (StrongConvexity * Math.Pow(2, s)));

    /// <summary>T_s = ⌈max{16L/μ, 32 max{σ², 4λ²σ²} / (μ V0 2^{−(s+2)})}⌉ (eq. 29).</summary>
    public long Length(int s)
    {
        var t = RawLength(s);
        OptionChecks.Require(t <= MaxEpochLength, nameof(Epochs), $"{nameof(Epochs)} = {Epochs}: epoch {s} would take T_s = {t:G4} steps (eq. 29), over {MaxEpochLength}");

        return (long)t;
    }

    /// <summary>α_s = min{1/(2L), (1/σ) √(V0 2^{−s} / (2 μ T_s))} (eq. 30; 1/(2L) when σ = 0).</summary>
    public double Step(int s)
    {
        var first = 1 / (2 * Smoothness);
        if (GradientNoise == 0)
        {
            return first;
        }

        return Math.Min(first, Math.Sqrt(InitialGap * Math.Pow(2, -s) / (2 * StrongConvexity * Length(s))) / GradientNoise);
    }

    /// <summary>Σ_{s &lt; k†} T_s, the ∇y g calls of a whole run.</summary>
    public long TotalSteps()
    {
        long total = 0;
        for (var s = 0; s < Epochs; s++)
        {
            total += Length(s);
        }

        return total;
    }

    /// <summary>Throws a one-line error naming the offending option (with <paramref name="prefix"/>) unless the schedule is usable.</summary>
    public void Validate(string prefix = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Epochs, prefix + nameof(Epochs));
        Positive(InitialGap, prefix + nameof(InitialGap));
        Positive(StrongConvexity, prefix + nameof(StrongConvexity));
        Positive(Smoothness, prefix + nameof(Smoothness));
        OptionChecks.Require(GradientNoise >= 0 && !double.IsInfinity(GradientNoise), prefix + nameof(GradientNoise), $"{prefix + nameof(GradientNoise)} must be ≥ 0 and finite, got {GradientNoise}");
        OptionChecks.Require(Confidence > 0 && Confidence < 1, prefix + nameof(Confidence), $"{prefix + nameof(Confidence)} must lie in (0, 1), got {Confidence}");

        for (var s = 0; s < Epochs; s++)
        {
            var t = RawLength(s);
            OptionChecks.Require(t <= MaxEpochLength, prefix + nameof(Epochs), $"{prefix + nameof(Epochs)} = {Epochs}: epoch {s} would take T_s = {t:G4} steps (eq. 29), over {MaxEpochLength}");
        }
    }

    private double RawLength(int s)
    {
        var sigma2 = GradientNoise * GradientNoise;
        var lambda = Lambda;
        var noiseTerm = 32 * Math.Max(sigma2, 4 * lambda * lambda * sigma2) / (StrongConvexity * InitialGap * Math.Pow(2, -(s + 2)));
        return Math.Ceiling(Math.Max(16 * Smoothness / StrongConvexity, noiseTerm));
    }

    private static void Positive(double value, string name) =>
        OptionChecks.Require(value > 0 && !double.IsInfinity(value), name, $"{name} must be positive and finite, got {value}");
}

/// <summary>
/// Epoch-SGD, paper 004 Algorithm 3 (initialization refinement of BO-REP, Algorithm 1 line 1): for s = 0 … k†−1,
/// T_s projected SGD steps y^{s,t+1} = Π_{B_s}(y^{s,t} − α_s ∇y G(x₀, y^{s,t}; ξ̃^{s,t})) onto the ball B_s of radius
/// √(2V0/(μ2^s)) centred at the epoch's start y^{s,0} (eq. 28), then restart from the average
/// y^{s+1,0} = (1/T_s) Σ_{t=1}^{T_s} y^{s,t} (line 6). Cost: Σ_s T_s ∇y g.
/// </summary>
public static class EpochSgd
{
    /// <summary>
    /// Runs the schedule from y (in place, so y ends as y^{k†,0}) at fixed x. <paramref name="center"/>,
    /// <paramref name="sum"/> and <paramref name="gradient"/> are scratch of length dy.
    /// </summary>
    public static void Run(BilevelProblem problem, ReadOnlySpan<double> x, Span<double> y, EpochSgdSchedule schedule, BatchSource batches,
        Span<double> center, Span<double> sum, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(batches);
        for (var s = 0; s < schedule.Epochs; s++)
        {
            var length = schedule.Length(s);
            var step = schedule.Step(s);
            var radius = schedule.Radius(s);
            y.CopyTo(center);
            sum.Clear();
            for (long t = 0; t < length; t++)
            {
                problem.LowerGradientY(x, y, gradient, batches.Next());
                Vectors.Axpy(-step, gradient, y);
                BallProjection.Project(y, center, radius);
                Vectors.Axpy(1, y, sum);
            }

            for (var i = 0; i < y.Length; i++)
            {
                y[i] = sum[i] / length;
            }
        }
    }
}
