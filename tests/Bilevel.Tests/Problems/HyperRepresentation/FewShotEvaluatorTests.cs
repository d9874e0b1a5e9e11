using Bilevel.Data.Omniglot;
using Bilevel.Networks;
using Bilevel.Problems.HyperRepresentation;
using Bilevel.Tests.Data.Omniglot;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems.HyperRepresentation;

/// <summary>
/// Meta-test evaluation of a feature extractor: chance accuracy when images carry no class information, a confidence
/// interval that shrinks with more tasks, heads that are the lower level's minimizers, and the official one-shot runs.
/// </summary>
public sealed class FewShotEvaluatorTests
{
    private static readonly ConvNet Tiny = new(1, 3, 2, 28);

    private static double[] RandomFeatureExtractor(int seed)
    {
        var x = new double[Tiny.Layout.Size];
        Tiny.Initialize<double>(x, seed);
        return x;
    }

    /// <summary>5-way 1-shot episodes of real shape whose images are uniform noise, independent of the labels.</summary>
    private static Episode[] NoiseEpisodes(int count, int seed)
    {
        var random = new Random(seed);
        var real = FewShotTasks.Sample(new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTest, rotations: false, seed), count, 5, 1, 15);
        return [.. real.Select(e => new Episode(e.Ways, e.Shots, e.Queries, [.. e.Classes],
            Noise(e.SupportImages.Length, random), e.SupportLabels, e.SupportDrawings,
            Noise(e.QueryImages.Length, random), e.QueryLabels, e.QueryDrawings))];
    }

    private static float[] Noise(int length, Random random)
    {
        var values = new float[length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle();
        }

        return values;
    }

    [Fact]
    public void Evaluate_NoiseImages_ChanceAccuracy()
    {
        var evaluator = new FewShotEvaluator<float>(Tiny);
        var result = evaluator.Evaluate(RandomFeatureExtractor(1), NoiseEpisodes(60, 3));
        Assert.Equal(60, result.PerTask.Count);
        Assert.InRange(result.Mean, 0.2 - 0.04, 0.2 + 0.04);
        Assert.InRange(result.HalfWidth95, 0.002, 0.04);
    }

    [Fact]
    public void Evaluate_MoreEpisodes_NarrowerInterval()
    {
        var evaluator = new FewShotEvaluator<float>(Tiny);
        var x = RandomFeatureExtractor(1);
        var few = evaluator.Evaluate(x, NoiseEpisodes(10, 5));
        var many = evaluator.Evaluate(x, NoiseEpisodes(80, 5));
        Assert.True(many.HalfWidth95 < 0.6 * few.HalfWidth95, $"{many} vs {few}");
    }

    [Fact]
    public void Evaluate_RandomConvNetOnOmniglot_AboveChance()
    {
        var evaluator = new FewShotEvaluator<float>(Tiny);
        var episodes = FewShotTasks.Sample(new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTest, rotations: false, 7), 20, 5, 1, 15);
        var result = evaluator.Evaluate(RandomFeatureExtractor(1), episodes);
        Assert.True(result.Mean - result.HalfWidth95 > 0.2, result.ToString());
    }

    [Fact]
    public void FitHead_Float64_StationaryPointOfTheProblemsLowerLevel()
    {
        var episodes = FewShotHyperRepresentationProblemTests.TinyEpisodes(count: 1);
        var problem = new FewShotHyperRepresentationProblem<double>(episodes, 3, 2, 0.1);
        var evaluator = new FewShotEvaluator<double>(problem.Network, problem.Regularization, maxIterations: 500, gradientTolerance: 1e-9);
        var x = problem.InitialUpperPoint(1);
        var e = episodes[0];
        var head = evaluator.FitHead(evaluator.Features(x, e.SupportImages, e.SupportLabels.Length), e.SupportLabels, e.Ways);
        var gradient = new double[problem.LowerDimension];
        problem.LowerGradientY(x, head, gradient);
        Assert.True(Check.Norm(gradient) < 1e-7, $"‖∇y g‖ = {Check.Norm(gradient):E3}");
    }

    [Fact]
    public void HeadLoss_Gradient_MatchesCentralDifferences()
    {
        var random = new Random(4);
        var phi = Enumerable.Range(0, 6 * 4).Select(_ => random.NextDouble()).ToArray();
        int[] labels = [0, 1, 2, 0, 1, 2];
        var head = TestProblems.RandomVector(3 * 5, 8);
        var gradient = new double[head.Length];
        FewShotEvaluator<double>.HeadLoss(phi, labels, head, 3, 4, 0.3, gradient);
        var fd = FiniteDifference.Gradient(h => FewShotEvaluator<double>.HeadLoss(phi, labels, h, 3, 4, 0.3, new double[h.Length]), head);
        Check.Close(fd, gradient, 1e-8, "head gradient");
    }

    [Fact]
    public void Evaluate_OfficialOneShotRuns_TwentyAccuraciesInRange()
    {
        var evaluator = new FewShotEvaluator<float>(Tiny);
        var result = evaluator.Evaluate(RandomFeatureExtractor(2), OneShotRuns.Load(OmniglotTestData.AllRuns));
        Assert.Equal(20, result.PerTask.Count);
        Assert.All(result.PerTask, a => Assert.InRange(a, 0, 1));
        Assert.True(result.HalfWidth95 > 0);
    }

    [Fact]
    public void FromTasks_KnownValues_MeanAndHalfWidth()
    {
        var result = FewShotAccuracy.FromTasks([0.2, 0.4, 0.6, 0.8]);
        Assert.Equal(0.5, result.Mean, 12);
        Assert.Equal(1.96 * Math.Sqrt(0.2 / 3 / 4), result.HalfWidth95, 12);
        Assert.True(double.IsNaN(FewShotAccuracy.FromTasks([0.5]).HalfWidth95));
    }
}
