using Bilevel.Problems.Reviews;

namespace Bilevel.Tests.Problems.Reviews;

/// <summary>The three problems on the bundled data (GloVe 50-d and 100-d, FDU-MTL, Sentiment140): shapes, splits, held-out domains.</summary>
public sealed class ReviewSetupsTests
{
    private static readonly Lazy<ReviewEmbedding> Glove50 = new(() => ReviewSetups.Embedding(50));
    private static readonly Lazy<EncodedAmazonReviews> Amazon = new(() => ReviewSetups.AmazonReviews(Glove50.Value));

    [Fact]
    public void Embedding_BundledSubsets_HaveTheirWordCountsAndDimensions()
    {
        Assert.Equal((50, 5050 + 2), (Glove50.Value.Dimension, Glove50.Value.Table.Rows));
        var glove100 = ReviewSetups.Embedding(100);
        Assert.Equal((100, 2604 + 2), (glove100.Dimension, glove100.Table.Rows));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReviewSetups.GlovePath(300));
    }

    [Fact]
    public void AmazonReviews_Fdu14Domains_TrainAndTestFilesWithKnownWordsOnly()
    {
        var reviews = Amazon.Value;
        Assert.Equal(14, reviews.All.Select(r => r.Domain).Distinct().Count());
        Assert.InRange(reviews.Test.Count, 5550, 14 * 400); // 400 test reviews per domain, less any left without a known word
        Assert.InRange(reviews.Train.Count, 22000, 22180);
        Assert.All(reviews.Train.Take(200), r => Assert.All(r.Tokens, id => Assert.InRange(id, 2, 5051)));
    }

    [Fact]
    public void HyperRepresentation_RealTasks_HeldOutDomainsAreTheThreeSmallest()
    {
        var (train, test, sampler) = ReviewSetups.Tasks(Amazon.Value, tasks: 4, testTasks: 3, seed: 1);
        Assert.Equal(["baby", "magazines", "software"], sampler.TestDomains);
        Assert.All(test, t => Assert.Contains(t.Domain, sampler.TestDomains));
        Assert.All(train, t => Assert.DoesNotContain(t.Domain, sampler.TestDomains));
        var problem = new ReviewHyperRepresentationProblem<float>(Glove50.Value.Tensor<float>(), 8, train, test, regularization: 0.1, maxLength: 16);
        var encoder = (8 * 50) + (8 * 8) + 8 + 8 + (8 * 8) + (8 * 8) + 8 + 8;
        Assert.Equal((encoder, 4 * 2 * 9, 4, 4), (problem.UpperDimension, problem.LowerDimension, problem.UpperSampleCount, problem.LowerSampleCount));
        var metrics = new double[3];
        problem.EvaluateMetrics(problem.InitialUpperPoint(0), new double[problem.LowerDimension], metrics);
        Assert.All(metrics, m => Assert.True(double.IsFinite(m)));
    }

    [Fact]
    public void Hyperparameter_RealReviews_DisjointSplitsOfRequestedSizes()
    {
        var problem = ReviewSetups.Hyperparameter<float>(Glove50.Value, Amazon.Value, hiddenSize: 8, train: 300, validation: 100, test: 50, maxLength: 24, seed: 2);
        Assert.Equal((1, 300, 100, 50), (problem.UpperDimension, problem.LowerSampleCount, problem.UpperSampleCount, problem.Test.Count));
        Assert.True(problem.Train.Width <= 24);
        var y = problem.Classifier.InitialParameters(0);
        Assert.Equal(problem.LowerDimension, y.Length);
        var g = problem.LowerValue([-7.0], y);
        Assert.InRange(g, 0.5, 1.0); // ≈ ln 2 at a random start
    }

    [Fact]
    public void HyperCleaning_Sentiment140_FlipsAboutPOfTheTrainingLabels()
    {
        var problem = ReviewSetups.HyperCleaning<float>(Glove50.Value, hiddenSize: 8, train: 1000, validation: 200, rate: 0.3, regularization: 1e-3, maxLength: 20, seed: 3);
        Assert.Equal((1000, 1000, 200), (problem.UpperDimension, problem.LowerSampleCount, problem.UpperSampleCount));
        Assert.InRange(problem.Corrupted.Count(c => c), 250, 350);
        Assert.Equal(358, problem.Test.Count); // the manual test set's 359 positive and negative tweets, one without a known word
        var metrics = new double[problem.MetricNames.Count];
        var x = new double[problem.UpperDimension];
        problem.EvaluateMetrics(x, problem.Classifier.InitialParameters(1), metrics);
        Assert.Equal(0.5, metrics[3]); // equal weights: AUC 1/2
        Assert.Equal(problem.LowerDimension, problem.Classifier.Size);
    }
}
