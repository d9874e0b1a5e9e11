using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

public sealed class ReviewTaskSamplerTests
{
    private static readonly Lazy<List<EncodedReview>> FduEncoded = new(() =>
    {
        var data = TextTestData.FduMtl;
        var tokenizer = Tokenizer.LowercaseWhitespace;
        var documents = data.Reviews
            .Where(r => r.Label is not null && FduMtlDataset.IsAmazonDomain(r.Domain))
            .Select(r => (IReadOnlyList<string>)tokenizer.Tokenize(r.Text));
        var vocabulary = Vocabulary.Build(documents);
        return ReviewTaskSampler.Encode(data, tokenizer, vocabulary);
    });

    [Fact]
    public void Constructor_FduMtl_HoldsOutThreeSmallestAmazonDomains()
    {
        var sampler = new ReviewTaskSampler(FduEncoded.Value, seed: 1);
        // Labelled (train + test) reviews: baby 1,900, software 1,915, magazines 1,970; next camera_photo 1,997.
        Assert.Equal(["baby", "magazines", "software"], sampler.TestDomains);
        Assert.Equal(11, sampler.TrainingDomains.Count);
        Assert.DoesNotContain("imdb", sampler.TrainingDomains);
        Assert.DoesNotContain("MR", sampler.TrainingDomains);
        Assert.Equal(1, sampler.ExcludedEmptyReviews); // sports_outdoors train line 1121 has no text
        Assert.Equal((1900, 1915, 1970, 1999), (sampler.DomainSize("baby"), sampler.DomainSize("software"), sampler.DomainSize("magazines"), sampler.DomainSize("sports_outdoors")));
        Assert.Equal(22180 + 5600, FduEncoded.Value.Count); // 14 Amazon domains: train + 400 test each
    }

    [Fact]
    public void Next_FduMtl_BalancedTwentyPlusTwentyFromOneTrainingDomain()
    {
        var sampler = new ReviewTaskSampler(FduEncoded.Value, seed: 2);
        foreach (var task in sampler.NextMetaBatch(20))
        {
            Assert.Contains(task.Domain, sampler.TrainingDomains);
            Assert.Equal((20, 20), (task.Support.Count, task.Query.Count));
            Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], task.Support.Labels);
            Assert.Equal(task.Support.Labels, task.Query.Labels);
        }
    }

    [Fact]
    public void Next_SameSeed_SameTasks_DifferentSeed_DifferentTasks()
    {
        var a = new ReviewTaskSampler(FduEncoded.Value, seed: 7);
        var b = new ReviewTaskSampler(FduEncoded.Value, seed: 7);
        var c = new ReviewTaskSampler(FduEncoded.Value, seed: 8);
        for (var step = 0; step < 5; step++)
        {
            var ta = a.NextMetaBatch(20);
            var tb = b.NextMetaBatch(20);
            var tc = c.NextMetaBatch(20);
            for (var i = 0; i < ta.Length; i++)
            {
                Assert.Equal(ta[i].Domain, tb[i].Domain);
                Assert.Equal(ta[i].Support.Tokens, tb[i].Support.Tokens);
                Assert.Equal(ta[i].Query.Lengths, tb[i].Query.Lengths);
                Assert.Equal(ta[i].Query.Tokens, tb[i].Query.Tokens);
            }

            Assert.NotEqual(ta.Select(t => t.Support.Tokens.Length), tc.Select(t => t.Support.Tokens.Length));
        }
    }

    [Fact]
    public void Next_TestPool_OnlyHeldOutDomains_TrainingNever()
    {
        var sampler = new ReviewTaskSampler(FduEncoded.Value, seed: 3);
        var testDomains = sampler.NextMetaBatch(60, TaskPool.Test).Select(t => t.Domain).ToHashSet();
        var trainingDomains = sampler.NextMetaBatch(300).Select(t => t.Domain).ToHashSet();
        Assert.Equal(["baby", "magazines", "software"], testDomains.Order(StringComparer.Ordinal));
        Assert.Empty(trainingDomains.Intersect(sampler.TestDomains));
        Assert.Equal(11, trainingDomains.Count);
    }

    [Fact]
    public void Next_SupportAndQueryAreDisjointDistinctReviews()
    {
        var reviews = Synthetic(("d1", 30), ("d2", 30), ("t", 30));
        var sampler = new ReviewTaskSampler(reviews, seed: 4, new ReviewTaskSamplerOptions { SupportSize = 10, QuerySize = 10, TestDomains = ["t"] });
        for (var k = 0; k < 50; k++)
        {
            var task = sampler.Next();
            var ids = IdsOf(task.Support).Concat(IdsOf(task.Query)).ToList();
            Assert.Equal(20, ids.Distinct().Count());
            Assert.All(ids, id => Assert.Equal(task.Domain, reviews[id].Domain));
            Assert.All(ids, id => Assert.Equal(reviews[id].Label, id % 2)); // synthetic label = id parity
        }
    }

    [Fact]
    public void Next_ProportionalSelection_FollowsDomainSizes()
    {
        var reviews = Synthetic(("big", 300), ("small", 100), ("t", 40));
        var sampler = new ReviewTaskSampler(reviews, seed: 5, new ReviewTaskSamplerOptions { SupportSize = 2, QuerySize = 2, TestDomains = ["t"] });
        var big = sampler.NextMetaBatch(4000).Count(t => t.Domain == "big");
        Assert.InRange(big / 4000.0, 0.75 - 0.021, 0.75 + 0.021); // 3σ, σ = √(0.75·0.25/4000)

        var uniform = new ReviewTaskSampler(reviews, seed: 5, new ReviewTaskSamplerOptions { SupportSize = 2, QuerySize = 2, TestDomains = ["t"], DomainSelection = DomainSelection.Uniform });
        var bigUniform = uniform.NextMetaBatch(4000).Count(t => t.Domain == "big");
        Assert.InRange(bigUniform / 4000.0, 0.5 - 0.024, 0.5 + 0.024);
    }

    [Fact]
    public void Next_Unbalanced_TakesSupportThenQueryFromOneShuffle()
    {
        var reviews = Synthetic(("a", 50), ("t", 50));
        var sampler = new ReviewTaskSampler(reviews, seed: 6, new ReviewTaskSamplerOptions { BalancedLabels = false, SupportSize = 7, QuerySize = 5, TestDomains = ["t"] });
        var task = sampler.Next();
        Assert.Equal((7, 5), (task.Support.Count, task.Query.Count));
        Assert.Equal(12, IdsOf(task.Support).Concat(IdsOf(task.Query)).Distinct().Count());
    }

    [Fact]
    public void TokenBatch_PadsWithPadIdAndRecordsLengths()
    {
        EncodedReview[] reviews = [new("d", 1, [5, 6, 7]), new("d", 0, [8]), new("d", 1, [9, 10])];
        var batch = new TokenBatch(reviews);
        Assert.Equal((3, 3, 0), (batch.Count, batch.Length, batch.PadId));
        Assert.Equal([5, 6, 7, 8, 0, 0, 9, 10, 0], batch.Tokens);
        Assert.Equal([3, 1, 2], batch.Lengths);
        Assert.Equal([1, 0, 1], batch.Labels);
        var truncated = new TokenBatch(reviews, padId: -1, maxLength: 2);
        Assert.Equal([5, 6, 8, -1, 9, 10], truncated.Tokens);
        Assert.Equal([2, 1, 2], truncated.Lengths);
        var ex = Assert.Throws<ArgumentException>(() => new TokenBatch([new EncodedReview("d", 0, [])]));
        Assert.Equal("review 0 of the batch (domain d) has no tokens (Parameter 'reviews')", ex.Message);
    }

    [Fact]
    public void Constructor_TooFewReviewsOrOddSizes_Throws()
    {
        var reviews = Synthetic(("a", 30), ("tiny", 10));
        var ex = Assert.Throws<ArgumentException>(() => new ReviewTaskSampler(reviews, 0, new ReviewTaskSamplerOptions { TestDomains = ["a"] }));
        Assert.Equal("domain 'a' has 15 positive and 15 negative reviews; a balanced task needs 20 of each (Parameter 'reviews')", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new ReviewTaskSampler(reviews, 0, new ReviewTaskSamplerOptions { SupportSize = 3 }));
        Assert.Equal("balanced tasks need even support and query sizes, got 3 and 20 (Parameter 'options')", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new ReviewTaskSampler(reviews, 0, new ReviewTaskSamplerOptions { TestDomains = ["nope"] }));
        Assert.Equal("test domain 'nope' has no reviews (domains: a, tiny) (Parameter 'options')", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new ReviewTaskSampler([new EncodedReview("a", 2, [1])], 0));
        Assert.Equal("review 0 (domain a) has label 2, expected 0 or 1 (Parameter 'reviews')", ex.Message);
    }

    [Fact]
    public void SmallestDomains_TiesBrokenByName()
    {
        var reviews = Synthetic(("c", 4), ("b", 4), ("a", 6), ("d", 2));
        Assert.Equal(["b", "d"], ReviewTaskSampler.SmallestDomains(reviews, 2));
    }

    /// <summary>Reviews whose single token is their index; label = index parity.</summary>
    private static List<EncodedReview> Synthetic(params (string Domain, int Count)[] domains)
    {
        var reviews = new List<EncodedReview>();
        foreach (var (domain, count) in domains)
        {
            for (var i = 0; i < count; i++)
            {
                var id = reviews.Count;
                reviews.Add(new EncodedReview(domain, id % 2, [id, id]));
            }
        }

        return reviews;
    }

    private static IEnumerable<int> IdsOf(TokenBatch batch) =>
        Enumerable.Range(0, batch.Count).Select(n => batch.Tokens[n * batch.Length]);
}
