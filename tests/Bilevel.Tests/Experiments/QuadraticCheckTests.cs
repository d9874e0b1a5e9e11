using Bilevel.Experiments;

namespace Bilevel.Tests.Experiments;

/// <summary>
/// The must-show numbers of paper 000 §6.1 at the paper's settings (n = 10⁴, d = 5, step 2e-5). One run is shared:
/// it takes about a second.
/// </summary>
public sealed class QuadraticCheckTests : IClassFixture<QuadraticCheckTests.PaperRun>
{
    private readonly QuadraticCheckReport _report;

    public QuadraticCheckTests(PaperRun run) => _report = run.Report;

    public sealed class PaperRun
    {
        public QuadraticCheckReport Report { get; } = QuadraticCheck.Run(new QuadraticCheckOptions(Repeats: 1));
    }

    private QuadraticCheckRow[] Series(int set, EstimatorKind kind, double? alpha = null) =>
        _report.Rows.Where(r => r.Set == set && r.Estimator == kind && r.Alpha == alpha).OrderBy(r => r.K).ToArray();

    [Fact]
    public void Run_ExactEstimator_MatchesClosedFormTo1e12()
    {
        var rows = Series(1, EstimatorKind.Exact);
        Assert.Equal(QuadraticCheckOptions.DefaultSteps.Count, rows.Length);
        Assert.All(rows, r => Assert.True(r.RelError <= 1e-12, $"relError {r.RelError:E3} at K = {r.K}"));
    }

    [Fact]
    public void Run_ConjugateGradientAtExactInnerSolution_ExactAfterDimensionIterations()
    {
        var row = Series(3, EstimatorKind.ConjugateGradient).Single(r => r.K == 5);
        Assert.True(row.RelError <= 1e-10, $"relError {row.RelError:E3}");
        Assert.Equal(5, row.Hvps);
    }

    [Theory]
    [InlineData(EstimatorKind.Fsla)]
    [InlineData(EstimatorKind.NeumannSeries)]
    [InlineData(EstimatorKind.BackPropagation)]
    public void Run_SetOneError_NonIncreasingInKAndBelow1e8AtK1000(EstimatorKind kind)
    {
        var rows = Series(1, kind);
        for (var i = 1; i < rows.Length; i++)
        {
            Assert.True(rows[i].SqError <= rows[i - 1].SqError,
                $"{kind}: error rose from {rows[i - 1].SqError:E3} at K = {rows[i - 1].K} to {rows[i].SqError:E3} at K = {rows[i].K}");
        }

        Assert.Equal(1000, rows[^1].K);
        Assert.True(rows[^1].RelError <= 1e-8, $"{kind}: relError {rows[^1].RelError:E3} at K = 1000");
        Assert.True(rows[0].RelError > 0.1, "K = 1 should be far from converged, or the test is vacuous");
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(0.25)]
    public void Run_SetTwoSlope_MatchesInnerRate(double alpha)
    {
        var slope = QuadraticCheck.FitSlope(_report.Rows, alpha, 500, 1000);
        Assert.InRange(slope, (-2 * alpha) - 0.5, (-2 * alpha) + 0.5);
    }

    [Fact]
    public void Run_Counts_FollowDocumentedFormulas()
    {
        foreach (var k in new[] { 1, 10, 1000 })
        {
            var bp = Series(1, EstimatorKind.BackPropagation).Single(r => r.K == k);
            Assert.Equal(k - 1, bp.Hvps);
            Assert.Equal(k, bp.Jvps);
            Assert.Equal(k + 2, bp.Grads); // K ∇y g for the trajectory + ∇x f + ∇y f

            var ns = Series(1, EstimatorKind.NeumannSeries).Single(r => r.K == k);
            Assert.Equal(k - 1, ns.Hvps);
            Assert.Equal(1, ns.Jvps);

            var fsla = Series(1, EstimatorKind.Fsla).Single(r => r.K == k);
            Assert.Equal(k - 1, fsla.Hvps);
            Assert.Equal(1, fsla.Jvps);
            Assert.Equal((2 * k) + 1, fsla.Grads); // K ∇y g + K ∇y f + 1 ∇x f
        }

        // FSLA carries v forward: one HVP and one cross product per new K.
        Assert.Equal(2, Series(1, EstimatorKind.Fsla).Single(r => r.K == 1000).IncrementalProducts);
    }

    [Fact]
    public void Run_NeumannAndBackPropagation_CoincideOnQuadratic()
    {
        var ns = Series(1, EstimatorKind.NeumannSeries);
        var bp = Series(1, EstimatorKind.BackPropagation);
        for (var i = 0; i < ns.Length; i++)
        {
            var scale = Math.Max(ns[i].RelError, 1e-13);
            Assert.True(Math.Abs(ns[i].RelError - bp[i].RelError) <= 1e-6 * scale + 1e-13, $"K = {ns[i].K}");
        }

        Assert.Contains(_report.Claims, c => c.Claim.Contains("BP and NS coincide", StringComparison.Ordinal) && c.Holds);
    }

    [Fact]
    public void Run_SameSeed_SameNumbers()
    {
        var small = new QuadraticCheckOptions(Samples: 300, Steps: [1, 5, 20], SyntheticSteps: [1, 10], Repeats: 1);
        var a = QuadraticCheck.Run(small);
        var b = QuadraticCheck.Run(small);
        Assert.Equal(a.Rows.Select(r => r.SqError), b.Rows.Select(r => r.SqError));
        var other = QuadraticCheck.Run(small with { Seed = 1 });
        Assert.NotEqual(a.Rows.Select(r => r.SqError), other.Rows.Select(r => r.SqError));
    }

    [Fact]
    public void Run_UnstableStep_ThrowsNamingTheLimit()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            QuadraticCheck.Run(new QuadraticCheckOptions(Samples: 300, StepSize: 1.0, Repeats: 1)));
        Assert.Contains("unstable", error.Message, StringComparison.Ordinal);
    }
}
