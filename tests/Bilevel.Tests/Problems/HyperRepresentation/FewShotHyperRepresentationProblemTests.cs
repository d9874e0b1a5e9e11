using Bilevel.Data.Omniglot;
using Bilevel.Problems;
using Bilevel.Problems.HyperRepresentation;
using Bilevel.Tests.Data.Omniglot;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems.HyperRepresentation;

/// <summary>
/// The few-shot hyper-representation problem on real (bundled) Omniglot episodes with a tiny ConvNet (3 filters,
/// 2 blocks: 147 features): every oracle against central differences in float64, HVP symmetry, task batches as
/// unbiased means, counts, determinism, the feature cache, the task pool and the metrics.
/// </summary>
public sealed class FewShotHyperRepresentationProblemTests
{
    private const int Filters = 3;
    private const int Blocks = 2;
    private const double C = 0.1;

    internal static Episode[] TinyEpisodes(int count = 3, int seed = 11, int ways = 3, int shots = 2, int queries = 2) =>
        FewShotTasks.Sample(new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTrain, rotations: true, seed), count, ways, shots, queries);

    private static FewShotHyperRepresentationProblem<double> Tiny(int seed = 11) => new(TinyEpisodes(seed: seed), Filters, Blocks, C);

    /// <summary>A generic point: Kaiming x with perturbed batch-norm parameters and biases; random heads with non-zero biases.</summary>
    private static (double[] X, double[] Y) Point(FewShotHyperRepresentationProblem<double> problem)
    {
        var x = problem.InitialUpperPoint(1);
        var noise = TestProblems.RandomVector(x.Length, 2, 0.1);
        for (var i = 0; i < x.Length; i++)
        {
            x[i] += noise[i];
        }

        var y = problem.InitialLowerPoint(3);
        var yNoise = TestProblems.RandomVector(y.Length, 4, 0.1);
        for (var i = 0; i < y.Length; i++)
        {
            y[i] += yNoise[i];
        }

        return (x, y);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Oracles_TinyConvNetFloat64_MatchCentralDifferences(bool miniBatch)
    {
        var problem = Tiny();
        var (x, y) = Point(problem);
        var v = TestProblems.RandomVector(problem.LowerDimension, 5);
        var batch = miniBatch ? Batch.Of([2, 0]) : Batch.Full;
        OracleChecks.UpperGradients(problem, x, y, batch);
        OracleChecks.LowerGradients(problem, x, y, batch);
        OracleChecks.LowerHvp(problem, x, y, v, batch);
        OracleChecks.LowerCrossProduct(problem, x, y, v, batch);
        OracleChecks.FusedSecondOrder(problem, x, y, v, batch);
    }

    [Fact]
    public void Gradients_MiniBatch_ZeroOutsideTheBatchTasks()
    {
        var problem = Tiny();
        var (x, y) = Point(problem);
        var gy = OracleChecks.Filled(problem.LowerDimension);
        problem.LowerGradientY(x, y, gy, Batch.Of([1]));
        var head = problem.HeadSize;
        Assert.All(gy[..head], value => Assert.Equal(0.0, value));
        Assert.All(gy[(2 * head)..], value => Assert.Equal(0.0, value));
        Assert.True(Check.Norm(gy.AsSpan(head, head)) > 0);
    }

    [Fact]
    public void Hvp_TinyConvNet_IsSymmetric()
    {
        var problem = Tiny();
        var (x, y) = Point(problem);
        var u = TestProblems.RandomVector(problem.LowerDimension, 6);
        var v = TestProblems.RandomVector(problem.LowerDimension, 7);
        var hu = new double[problem.LowerDimension];
        var hv = new double[problem.LowerDimension];
        problem.LowerHvp(x, y, u, hu);
        problem.LowerHvp(x, y, v, hv);
        var a = OracleChecks.Dot(v, hu);
        var b = OracleChecks.Dot(u, hv);
        Check.Close(a, b, 1e-10, "⟨v, H u⟩ vs ⟨u, H v⟩");

        // Strong convexity: ⟨v, H v⟩ ≥ (C/m) ‖v‖².
        Assert.True(OracleChecks.Dot(v, hv) >= C / 3 * OracleChecks.Dot(v, v) * (1 - 1e-12));
    }

    [Fact]
    public void Oracles_SingleTaskBatches_AverageToFullBatch()
    {
        var problem = Tiny();
        var (x, y) = Point(problem);
        var m = problem.LowerSampleCount;
        double g = 0, f = 0;
        var gx = new double[problem.UpperDimension];
        var fy = new double[problem.LowerDimension];
        var one = new double[problem.UpperDimension];
        var oneY = new double[problem.LowerDimension];
        for (var i = 0; i < m; i++)
        {
            var batch = Batch.Of([i]);
            g += problem.LowerValue(x, y, batch) / m;
            f += problem.UpperValue(x, y, batch) / m;
            problem.LowerGradientX(x, y, one, batch);
            problem.UpperGradientY(x, y, oneY, batch);
            for (var j = 0; j < one.Length; j++)
            {
                gx[j] += one[j] / m;
            }

            for (var j = 0; j < oneY.Length; j++)
            {
                fy[j] += oneY[j] / m;
            }
        }

        Check.Close(problem.LowerValue(x, y), g, 1e-12, "g");
        Check.Close(problem.UpperValue(x, y), f, 1e-12, "f");
        var full = new double[problem.UpperDimension];
        problem.LowerGradientX(x, y, full);
        Check.Close(full, gx, 1e-10, "∇x g");
        var fullY = new double[problem.LowerDimension];
        problem.UpperGradientY(x, y, fullY);
        Check.Close(fullY, fy, 1e-10, "∇y f");
    }

    [Fact]
    public void Counter_EachOracle_CountsOneCallAndTheBatchTasks()
    {
        var problem = Tiny();
        var (x, y) = Point(problem);
        var v = TestProblems.RandomVector(problem.LowerDimension, 5);
        var gx = new double[problem.UpperDimension];
        var gy = new double[problem.LowerDimension];
        var batch = Batch.Of([0, 2]);
        problem.LowerValue(x, y, batch);
        problem.UpperValue(x, y);
        problem.LowerGradients(x, y, gx, gy, batch);
        problem.UpperGradientY(x, y, gy, batch);
        problem.LowerHvpAndCrossProduct(x, y, v, gy, gx, batch);
        problem.LowerHvp(x, y, v, gy);
        var counts = problem.Counter.Snapshot();
        Assert.Equal(1, counts.LowerValues);
        Assert.Equal(1, counts.UpperValues);
        Assert.Equal(1, counts.LowerGradientsX);
        Assert.Equal(1, counts.LowerGradientsY);
        Assert.Equal(0, counts.UpperGradientsX);
        Assert.Equal(1, counts.UpperGradientsY);
        Assert.Equal(2, counts.Hvps);
        Assert.Equal(1, counts.CrossProducts);
        Assert.Equal(3 + 2, counts.UpperSamples);
        Assert.Equal(2 + 2 + 2 + 3, counts.LowerSamples);
    }

    [Fact]
    public void Oracles_SameSeedTwice_BitwiseIdentical()
    {
        var a = Tiny(seed: 21);
        var b = Tiny(seed: 21);
        var (x, y) = Point(a);
        var v = TestProblems.RandomVector(a.LowerDimension, 5);
        Assert.Equal(a.LowerValue(x, y), b.LowerValue(x, y));
        Assert.Equal(a.UpperValue(x, y), b.UpperValue(x, y));
        double[] h1 = new double[a.LowerDimension], h2 = new double[a.LowerDimension];
        double[] c1 = new double[a.UpperDimension], c2 = new double[a.UpperDimension];
        a.LowerHvpAndCrossProduct(x, y, v, h1, c1);
        b.LowerHvpAndCrossProduct(x, y, v, h2, c2);
        Check.BitwiseEqual(h1, h2, "HVP");
        Check.BitwiseEqual(c1, c2, "cross product");
        a.UpperGradients(x, y, c1, h1);
        b.UpperGradients(x, y, c2, h2);
        Check.BitwiseEqual(c1, c2, "∇x f");
        Check.BitwiseEqual(h1, h2, "∇y f");
        Assert.NotEqual(Tiny(seed: 22).LowerValue(x, y), a.LowerValue(x, y));
    }

    [Fact]
    public void FeatureCache_XChangedInPlace_MatchesFreshProblem()
    {
        var cached = Tiny();
        var (x, y) = Point(cached);
        var v = TestProblems.RandomVector(cached.LowerDimension, 5);
        var gy = new double[cached.LowerDimension];
        var hvp = new double[cached.LowerDimension];
        cached.LowerGradientY(x, y, gy);
        cached.LowerHvp(x, y, v, hvp);
        x[7] += 0.05; // as a solver's in-place step does
        cached.LowerGradientY(x, y, gy);
        cached.LowerHvp(x, y, v, hvp);
        var value = cached.UpperValue(x, y);

        var fresh = Tiny();
        var gyFresh = new double[fresh.LowerDimension];
        var hvpFresh = new double[fresh.LowerDimension];
        fresh.LowerGradientY(x, y, gyFresh);
        fresh.LowerHvp(x, y, v, hvpFresh);
        Check.BitwiseEqual(gyFresh, gy, "∇y g after the in-place change of x");
        Check.BitwiseEqual(hvpFresh, hvp, "HVP after the in-place change of x");
        Assert.Equal(fresh.UpperValue(x, y), value);
    }

    [Fact]
    public void SetEpisodes_NewPool_MatchesFreshProblemOnThatPool()
    {
        var problem = Tiny(seed: 11);
        var (x, y) = Point(problem);
        _ = problem.LowerValue(x, y); // fills the cache for the old pool
        var next = TinyEpisodes(seed: 12);
        problem.SetEpisodes(next);
        var fresh = new FewShotHyperRepresentationProblem<double>(next, Filters, Blocks, C);
        Assert.Equal(fresh.LowerValue(x, y), problem.LowerValue(x, y));
        Assert.Equal(fresh.UpperValue(x, y), problem.UpperValue(x, y));
    }

    [Fact]
    public void SetEpisodes_WrongCountOrShape_Throws()
    {
        var problem = Tiny();
        Assert.Throws<ArgumentException>(() => problem.SetEpisodes(TinyEpisodes(count: 2)));
        Assert.Throws<ArgumentException>(() => problem.SetEpisodes(TinyEpisodes(shots: 1)));
        Assert.Throws<ArgumentException>(() => new FewShotHyperRepresentationProblem<double>([], Filters, Blocks, C));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FewShotHyperRepresentationProblem<double>(TinyEpisodes(), Filters, Blocks, 0));
    }

    [Fact]
    public void Layout_HeadsAfterEachOther_WeightThenBias()
    {
        var problem = Tiny();
        Assert.Equal(3 * (Filters * 7 * 7 + 1), problem.HeadSize);
        Assert.Equal(3 * problem.HeadSize, problem.LowerDimension);
        Assert.Equal(problem.Network.Layout.Size, problem.UpperDimension);
        Assert.Equal(problem.HeadSize, problem.LowerLayout["task1.weight"].Offset);
        Assert.Equal(problem.HeadSize + (3 * Filters * 49), problem.LowerLayout["task1.bias"].Offset);
        Assert.Equal(3, problem.UpperSampleCount);
        Assert.Equal(3, problem.LowerSampleCount);
    }

    [Fact]
    public void Metrics_FittedHeads_SupportAccuracyHighAndNoOracleCounted()
    {
        var problem = Tiny();
        var x = problem.InitialUpperPoint(1);
        var values = new double[3];
        problem.EvaluateMetrics(x, problem.InitialLowerPoint(0), values);
        Assert.InRange(values[0], 0, 1);
        Assert.InRange(values[1], 0, 1);
        Assert.True(double.IsNaN(values[2]), "no monitor tasks set: the meta-test metric is NaN");

        var fit = LowerLevelFit.Minimize(problem, x, maxIterations: 300);
        problem.MonitorEpisodes = TinyEpisodes();
        var before = problem.Counter.Snapshot();
        problem.EvaluateMetrics(x, fit.Y, values);
        Assert.Equal(before, problem.Counter.Snapshot());
        Assert.Equal(1.0, values[1]);
        Assert.InRange(values[0], 0, 1);

        // The monitor metric is the evaluator's accuracy on those tasks.
        Assert.Equal(problem.CreateEvaluator().Evaluate(x, problem.MonitorEpisodes).Mean, values[2]);
    }

    [Fact]
    public void Oracles_Float32_AgreeWithFloat64()
    {
        var episodes = TinyEpisodes();
        var wide = new FewShotHyperRepresentationProblem<double>(episodes, Filters, Blocks, C);
        var narrow = new FewShotHyperRepresentationProblem<float>(episodes, Filters, Blocks, C);
        var (x, y) = Point(wide);
        var v = TestProblems.RandomVector(wide.LowerDimension, 5);
        Check.Close(wide.LowerValue(x, y), narrow.LowerValue(x, y), 1e-5, "g");
        double[] h1 = new double[wide.LowerDimension], h2 = new double[wide.LowerDimension];
        double[] c1 = new double[wide.UpperDimension], c2 = new double[wide.UpperDimension];
        wide.LowerHvpAndCrossProduct(x, y, v, h1, c1);
        narrow.LowerHvpAndCrossProduct(x, y, v, h2, c2);
        Check.Close(h1, h2, 1e-4, "HVP");
        Check.Close(c1, c2, 1e-3, "cross product");
    }
}
