using Bilevel.Data.Text;
using Bilevel.Problems;
using Bilevel.Problems.Reviews;
using Bilevel.Tensors;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems.Reviews;

/// <summary>
/// Paper 004's three review-text problems on tiny sizes (V = 13 words, D = 3, H = 4, sequences of 1–6 tokens) in
/// float64: every oracle against central differences, HVP symmetry, the cross product against the difference of ∇y g
/// along x, batch means, counts, determinism; float32 against float64.
/// </summary>
public sealed class ReviewProblemsTests
{
    private const int Words = 13;
    private const int Dimension = 3;
    private const int Hidden = 4;

    internal static Tensor<T> Table<T>(int seed = 1)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var values = TestProblems.RandomVector(Words * Dimension, seed, 0.8);
        var table = new Tensor<T>(Words, Dimension);
        for (var i = Dimension; i < values.Length; i++)
        {
            table.Span[i] = T.CreateTruncating(values[i]); // row 0 (padding) stays zero
        }

        return table;
    }

    internal static List<EncodedReview> Reviews(int count, int seed, string domain = "d")
    {
        var random = new Random(seed);
        var reviews = new List<EncodedReview>();
        for (var i = 0; i < count; i++)
        {
            var tokens = new int[1 + random.Next(6)];
            for (var t = 0; t < tokens.Length; t++)
            {
                tokens[t] = 1 + random.Next(Words - 1);
            }

            reviews.Add(new EncodedReview(domain, i % 2, tokens));
        }

        return reviews;
    }

    private static ReviewTask Task(int seed, string domain) =>
        new(domain, new TokenBatch(Reviews(4, seed, domain)), new TokenBatch(Reviews(4, seed + 100, domain)));

    internal static ReviewHyperRepresentationProblem<T> HyperRepresentation<T>(int seed = 3, int groupRows = 8)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        new(Table<T>(), Hidden, [Task(seed, "a"), Task(seed + 1, "b"), Task(seed + 2, "a")], [Task(seed + 3, "t"), Task(seed + 4, "u")],
            regularization: 0.3, maxLength: 5, groupRows: groupRows);

    internal static ReviewHyperparameterProblem<T> Hyperparameter<T>(int seed = 3)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        new(Table<T>(), Hidden, new TokenRows(Reviews(7, seed), 5), new TokenRows(Reviews(5, seed + 1), 5), new TokenRows(Reviews(4, seed + 2), 5));

    internal static ReviewHyperCleaningProblem<T> HyperCleaning<T>(int seed = 3)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        new(Table<T>(), Hidden, new TokenRows(Reviews(6, seed), 5), [true, false, false, true, false, false],
            new TokenRows(Reviews(5, seed + 1), 5), new TokenRows(Reviews(4, seed + 2), 5), regularization: 0.05);

    private static double[] Random(int n, int seed, double scale = 0.5) => TestProblems.RandomVector(n, seed, scale);

    public static TheoryData<string, bool> Cases => new()
    {
        { "hyper-representation", false },
        { "hyper-representation", true },
        { "hyperparameter", false },
        { "hyperparameter", true },
        { "hyper-cleaning", false },
        { "hyper-cleaning", true },
    };

    private static (BilevelProblem Problem, double[] X, double[] Y, Batch Batch) Point(string name, bool miniBatch)
    {
        BilevelProblem problem = name switch
        {
            "hyper-representation" => HyperRepresentation<double>(),
            "hyperparameter" => Hyperparameter<double>(),
            _ => HyperCleaning<double>(),
        };
        var x = name == "hyperparameter" ? [-1.3] : Random(problem.UpperDimension, 11);
        var y = Random(problem.LowerDimension, 12);
        var batch = !miniBatch ? Batch.Full : name == "hyper-representation" ? Batch.Of([2, 0]) : Batch.Of([4, 1, 2]);
        return (problem, x, y, batch);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Oracles_TinyRnnFloat64_MatchCentralDifferences(string name, bool miniBatch)
    {
        var (problem, x, y, batch) = Point(name, miniBatch);
        var v = Random(problem.LowerDimension, 13, 1);
        var upperBatch = name == "hyper-representation" || !miniBatch ? batch : Batch.Of([3, 0]);
        OracleChecks.UpperGradients(problem, x, y, upperBatch, gradientXIsZero: name != "hyper-representation");
        OracleChecks.LowerGradients(problem, x, y, batch);
        OracleChecks.LowerHvp(problem, x, y, v, batch);
        OracleChecks.LowerCrossProduct(problem, x, y, v, batch);
        OracleChecks.FusedSecondOrder(problem, x, y, v, batch);
    }

    [Theory]
    [InlineData("hyper-representation")]
    [InlineData("hyperparameter")]
    [InlineData("hyper-cleaning")]
    public void Hvp_TinyRnn_IsSymmetric(string name)
    {
        var (problem, x, y, _) = Point(name, false);
        var u = Random(problem.LowerDimension, 21, 1);
        var v = Random(problem.LowerDimension, 22, 1);
        var hu = new double[problem.LowerDimension];
        var hv = new double[problem.LowerDimension];
        problem.LowerHvp(x, y, u, hu);
        problem.LowerHvp(x, y, v, hv);
        Check.Close(OracleChecks.Dot(v, hu), OracleChecks.Dot(u, hv), 1e-10, "⟨v, H u⟩ vs ⟨u, H v⟩");
    }

    [Theory]
    [InlineData("hyper-representation")]
    [InlineData("hyperparameter")]
    [InlineData("hyper-cleaning")]
    public void CrossProduct_TinyRnn_MatchesDifferenceOfLowerGradientAlongX(string name)
    {
        // ∇²xy g · v = ∇x⟨∇y g, v⟩, so ⟨∇²xy g · v, d⟩ = d/dt ⟨∇y g(x + t d, y), v⟩ at t = 0.
        var (problem, x, y, _) = Point(name, false);
        var v = Random(problem.LowerDimension, 31, 1);
        var d = Random(problem.UpperDimension, 32, 1);
        var cross = new double[problem.UpperDimension];
        problem.LowerCrossProduct(x, y, v, cross);
        double Inner(double t)
        {
            var shifted = x.Select((value, i) => value + (t * d[i])).ToArray();
            var gy = new double[problem.LowerDimension];
            problem.LowerGradientY(shifted, y, gy);
            return OracleChecks.Dot(gy, v);
        }

        const double h = 1e-5;
        Check.Close((Inner(h) - Inner(-h)) / (2 * h), OracleChecks.Dot(cross, d), 1e-6, "⟨cross, d⟩ vs d/dt ⟨∇y g(x + t d), v⟩");
    }

    [Theory]
    [InlineData("hyper-representation")]
    [InlineData("hyperparameter")]
    [InlineData("hyper-cleaning")]
    public void LowerValue_SingleSampleBatches_AverageToFullBatch(string name)
    {
        var (problem, x, y, _) = Point(name, false);
        var n = problem.LowerSampleCount;
        var mean = 0.0;
        var gy = new double[problem.LowerDimension];
        var meanGy = new double[problem.LowerDimension];
        for (var i = 0; i < n; i++)
        {
            mean += problem.LowerValue(x, y, Batch.Of([i])) / n;
            problem.LowerGradientY(x, y, gy, Batch.Of([i]));
            for (var j = 0; j < gy.Length; j++)
            {
                meanGy[j] += gy[j] / n;
            }
        }

        Check.Close(problem.LowerValue(x, y), mean, 1e-12, "g");
        var full = new double[problem.LowerDimension];
        problem.LowerGradientY(x, y, full);
        Check.Close(full, meanGy, 1e-10, "∇y g");
    }

    [Fact]
    public void Counter_EachOracle_CountsCallsAndBatchSamples()
    {
        var problem = HyperCleaning<double>();
        var x = Random(problem.UpperDimension, 1);
        var y = Random(problem.LowerDimension, 2);
        var v = Random(problem.LowerDimension, 3);
        var gx = new double[problem.UpperDimension];
        var gy = new double[problem.LowerDimension];
        problem.LowerValue(x, y, Batch.Of([0, 1]));
        problem.UpperValue(x, y);
        problem.LowerGradients(x, y, gx, gy, Batch.Of([2, 3, 4]));
        problem.UpperGradientY(x, y, gy, Batch.Of([1]));
        problem.LowerHvpAndCrossProduct(x, y, v, gy, gx, Batch.Of([0]));
        var counts = problem.Counter.Snapshot();
        Assert.Equal((1, 1, 1, 1, 0, 1, 1, 1), (counts.LowerValues, counts.UpperValues, counts.LowerGradientsX, counts.LowerGradientsY,
            counts.UpperGradientsX, counts.UpperGradientsY, counts.Hvps, counts.CrossProducts));
        Assert.Equal(5 + 1, counts.UpperSamples);
        Assert.Equal(2 + 3 + 1, counts.LowerSamples);
    }

    [Fact]
    public void HyperCleaning_MiniBatch_XDerivativesZeroOutsideTheBatch()
    {
        var problem = HyperCleaning<double>();
        var x = Random(problem.UpperDimension, 1);
        var y = Random(problem.LowerDimension, 2);
        var v = Random(problem.LowerDimension, 3);
        var gx = OracleChecks.Filled(problem.UpperDimension);
        var cross = OracleChecks.Filled(problem.UpperDimension);
        problem.LowerGradientX(x, y, gx, Batch.Of([1, 4]));
        problem.LowerCrossProduct(x, y, v, cross, Batch.Of([1, 4]));
        foreach (var i in new[] { 0, 2, 3, 5 })
        {
            Assert.Equal((0.0, 0.0), (gx[i], cross[i]));
        }

        Assert.True(gx[1] != 0 && gx[4] != 0 && cross[1] != 0 && cross[4] != 0);
    }

    [Fact]
    public void Hyperparameter_LambdaIsExpOfX_PenaltyAddsToG()
    {
        var problem = Hyperparameter<double>();
        var y = Random(problem.LowerDimension, 2);
        var squared = OracleChecks.Dot(y, y);
        var g0 = problem.LowerValue([-30.0], y);
        var g1 = problem.LowerValue([Math.Log(0.2)], y);
        Check.Close(0.5 * 0.2 * squared, g1 - g0, 1e-9, "(λ/2)‖w‖² with λ = e^x");
        var metrics = new double[problem.MetricNames.Count];
        problem.EvaluateMetrics([Math.Log(0.2)], y, metrics);
        Check.Close(0.2, metrics[3], 1e-12, "λ metric");
    }

    [Theory]
    [InlineData("hyper-representation")]
    [InlineData("hyperparameter")]
    [InlineData("hyper-cleaning")]
    public void Oracles_SameInputsTwice_BitwiseIdentical(string name)
    {
        var (a, x, y, batch) = Point(name, true);
        var (b, _, _, _) = Point(name, true);
        var v = Random(a.LowerDimension, 5);
        double[] h1 = new double[a.LowerDimension], h2 = new double[a.LowerDimension];
        double[] c1 = new double[a.UpperDimension], c2 = new double[a.UpperDimension];
        a.LowerHvpAndCrossProduct(x, y, v, h1, c1, batch);
        b.LowerHvpAndCrossProduct(x, y, v, h2, c2, batch);
        Check.BitwiseEqual(h1, h2, "HVP");
        Check.BitwiseEqual(c1, c2, "cross product");
        a.LowerGradients(x, y, c1, h1, batch);
        b.LowerGradients(x, y, c2, h2, batch);
        Check.BitwiseEqual(c1, c2, "∇x g");
        Check.BitwiseEqual(h1, h2, "∇y g");
        Assert.Equal(a.UpperValue(x, y), b.UpperValue(x, y));
    }

    [Fact]
    public void HyperRepresentation_GroupsOfOneTask_SameAsOnePass()
    {
        var one = HyperRepresentation<double>(groupRows: 4);
        var all = HyperRepresentation<double>(groupRows: 40);
        var x = Random(one.UpperDimension, 1);
        var y = Random(one.LowerDimension, 2);
        var v = Random(one.LowerDimension, 3);
        double[] c1 = new double[one.UpperDimension], c2 = new double[one.UpperDimension];
        one.LowerCrossProduct(x, y, v, c1);
        all.LowerCrossProduct(x, y, v, c2);
        Check.Close(c2, c1, 1e-12, "cross product, groups of 1 vs 10 tasks");
        one.UpperGradientX(x, y, c1);
        all.UpperGradientX(x, y, c2);
        Check.Close(c2, c1, 1e-12, "∇x f, groups of 1 vs 10 tasks");
    }

    [Fact]
    public void HyperRepresentation_Metrics_HeldOutHeadsBeatChanceOnSeparableFeatures()
    {
        var problem = HyperRepresentation<double>();
        var x = problem.InitialUpperPoint(4);
        var metrics = new double[problem.MetricNames.Count];
        problem.EvaluateMetrics(x, new double[problem.LowerDimension], metrics);
        Assert.InRange(metrics[0], 0, 1);
        Assert.True(metrics[1] > 0 && double.IsFinite(metrics[1]));
        Assert.Equal(0.5, metrics[2]); // zero heads predict class 0 on balanced query sets (ties → 0)
        Assert.Equal(["a", "b"], problem.TrainingDomains);
        Assert.Equal(["t", "u"], problem.TestDomains);
    }

    [Theory]
    [InlineData("hyper-representation")]
    [InlineData("hyperparameter")]
    [InlineData("hyper-cleaning")]
    public void Oracles_Float32_CloseToFloat64(string name)
    {
        BilevelProblem single = name switch
        {
            "hyper-representation" => HyperRepresentation<float>(),
            "hyperparameter" => Hyperparameter<float>(),
            _ => HyperCleaning<float>(),
        };
        var (problem, x, y, _) = Point(name, false);
        var v = Random(problem.LowerDimension, 5);
        double[] h1 = new double[problem.LowerDimension], h2 = new double[problem.LowerDimension];
        double[] c1 = new double[problem.UpperDimension], c2 = new double[problem.UpperDimension];
        problem.LowerHvpAndCrossProduct(x, y, v, h1, c1);
        single.LowerHvpAndCrossProduct(x, y, v, h2, c2);
        Check.Close(h1, h2, 1e-3, "HVP float32");
        Check.Close(c1, c2, 1e-3, "cross float32");
        Check.Close(problem.LowerValue(x, y), single.LowerValue(x, y), 1e-5, "g float32");
    }
}
