using System.Numerics;
using Bilevel.Data;
using Bilevel.Data.Text;
using Bilevel.Tensors;

namespace Bilevel.Problems.Reviews;

/// <summary>Word vectors for paper 004's experiments: a vocabulary of the GloVe words and the frozen table.</summary>
/// <param name="Dimension">D (the bundled subsets: 50 or 100; paper 004 uses GloVe 840B.300d, which is not available here).</param>
/// <param name="Vocabulary">Padding, &lt;unk&gt;, then every GloVe word.</param>
/// <param name="Table">The table (row 0 zero, every word its GloVe vector).</param>
/// <param name="Description">File and counts, for reports.</param>
public sealed record ReviewEmbedding(int Dimension, Vocabulary Vocabulary, EmbeddingTable Table, string Description)
{
    /// <summary>The table as an engine tensor.</summary>
    public Tensor<T> Tensor<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Table.ToTensor<T>();
}

/// <summary>Labelled Amazon reviews of FDU-MTL's 14 Amazon domains, encoded, with the file split they come from.</summary>
/// <param name="Train">Reviews of the <c>.task.train</c> files.</param>
/// <param name="Test">Reviews of the <c>.task.test</c> files.</param>
public sealed record EncodedAmazonReviews(IReadOnlyList<EncodedReview> Train, IReadOnlyList<EncodedReview> Test)
{
    /// <summary>Train and test together (the pool paper 004's task sampler draws from).</summary>
    public IReadOnlyList<EncodedReview> All => [.. Train, .. Test];
}

/// <summary>
/// Data of paper 004's three experiments from the bundled files (<c>data/README.md</c>): GloVe 6B subsets (50-d: 5,050
/// words; 100-d: 2,604 words), FDU-MTL's 14 Amazon domains (the paper's source has 25) and Sentiment140 subsets. Words
/// without a vector are dropped, as paper 004's code does; reviews left without tokens are left out.
/// </summary>
public static class ReviewSetups
{
    /// <summary>data/ path of the GloVe subset of dimension 50 or 100.</summary>
    public static string GlovePath(int dimension) => dimension switch
    {
        50 => "glove/glove.6B.50d.top5050.txt",
        100 => "glove/glove.6B.100d.top2604.txt",
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "the bundled GloVe subsets are 50-d and 100-d (paper 004's 300-d vectors are not available)"),
    };

    /// <summary>The vocabulary and table of the bundled GloVe subset of <paramref name="dimension"/>.</summary>
    /// <exception cref="DatasetNotFoundException">The file is not found.</exception>
    public static ReviewEmbedding Embedding(int dimension, string? path = null)
    {
        var file = DataLocator.FromEnvironment().Resolve(GlovePath(dimension), path);
        var vectors = GloveReader.Read(file, dimension: dimension);
        var vocabulary = Vocabulary.FromWords(vectors.Words);
        var table = EmbeddingTable.Build(vocabulary, vectors, seed: 0);
        return new ReviewEmbedding(dimension, vocabulary, table, $"GloVe 6B {dimension}-d, {vectors.Count} words ({Path.GetFileName(file)})");
    }

    /// <summary>FDU-MTL's labelled Amazon reviews, whitespace-tokenized (the text is pre-tokenized and lower-cased), unknown words dropped.</summary>
    public static EncodedAmazonReviews AmazonReviews(ReviewEmbedding embedding, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var file = DataLocator.FromEnvironment().Resolve("amazon-reviews/fdu-mtl.tar.gz", path);
        var data = FduMtlReader.Read(file);
        var train = new List<EncodedReview>();
        var test = new List<EncodedReview>();
        var tokens = new List<string>();
        foreach (var review in data.Reviews)
        {
            if (review.Label is not { } label || !FduMtlDataset.IsAmazonDomain(review.Domain) || review.Split == FduMtlSplit.Unlabeled)
            {
                continue;
            }

            tokens.Clear();
            Tokenizer.LowercaseWhitespace.Tokenize(review.Text, tokens);
            var ids = embedding.Vocabulary.Encode(tokens, dropUnknown: true);
            if (ids.Length == 0)
            {
                continue;
            }

            (review.Split == FduMtlSplit.Train ? train : test).Add(new EncodedReview(review.Domain, label, ids));
        }

        return new EncodedAmazonReviews(train, test);
    }

    /// <summary>Sentiment140 tweets with a binary label, tokenized by <see cref="Tokenizer.WordPunctuationLower"/>, unknown words dropped, in file order.</summary>
    public static List<(long Id, EncodedReview Tweet)> Tweets(ReviewEmbedding embedding, string relativePath, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var file = DataLocator.FromEnvironment().Resolve(relativePath, path);
        var tweets = new List<(long, EncodedReview)>();
        var tokens = new List<string>();
        foreach (var tweet in Sentiment140Reader.Read(file))
        {
            if (tweet.BinaryLabel is not { } label)
            {
                continue;
            }

            tokens.Clear();
            Tokenizer.WordPunctuationLower.Tokenize(tweet.Text, tokens);
            var ids = embedding.Vocabulary.Encode(tokens, dropUnknown: true);
            if (ids.Length > 0)
            {
                tweets.Add((tweet.Id, new EncodedReview("tweet", label, ids)));
            }
        }

        return tweets;
    }

    /// <summary>
    /// The hyper-representation pool and held-out tasks (§4.1): <paramref name="tasks"/> training tasks and
    /// <paramref name="testTasks"/> held-out tasks of S + Q balanced reviews from one domain each
    /// (<see cref="ReviewTaskSampler"/>, held-out domains = the 3 smallest: baby, magazines, software).
    /// </summary>
    public static (ReviewTask[] Train, ReviewTask[] Test, ReviewTaskSampler Sampler) Tasks(EncodedAmazonReviews reviews, int tasks, int testTasks, int seed,
        int support = 20, int query = 20)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        var sampler = new ReviewTaskSampler(reviews.All, seed, new ReviewTaskSamplerOptions { SupportSize = support, QuerySize = query });
        return (sampler.NextMetaBatch(tasks), sampler.NextMetaBatch(testTasks, TaskPool.Test), sampler);
    }

    /// <summary>A seeded sample of <paramref name="count"/> items without replacement (partial Fisher–Yates), in draw order.</summary>
    public static List<TItem> Sample<TItem>(IReadOnlyList<TItem> items, int count, Random random)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(random);
        if (count > items.Count)
        {
            throw new ArgumentException($"cannot draw {count} of {items.Count} items", nameof(count));
        }

        var index = Enumerable.Range(0, items.Count).ToArray();
        var result = new List<TItem>(count);
        for (var t = 0; t < count; t++)
        {
            var j = random.Next(t, index.Length);
            (index[t], index[j]) = (index[j], index[t]);
            result.Add(items[index[t]]);
        }

        return result;
    }

    /// <summary>
    /// The hyperparameter-optimization problem (§4.2): <paramref name="train"/> training reviews and
    /// <paramref name="validation"/> validation reviews drawn disjointly from the train files, <paramref name="test"/>
    /// test reviews from the test files (paper: 20,000 training and 2,000 test; the validation set is not described).
    /// </summary>
    public static ReviewHyperparameterProblem<T> Hyperparameter<T>(ReviewEmbedding embedding, EncodedAmazonReviews reviews, int hiddenSize,
        int train, int validation, int test, int maxLength, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(reviews);
        var random = new Random(seed);
        var drawn = Sample(reviews.Train, Math.Min(reviews.Train.Count, train + validation), random);
        if (drawn.Count < train + validation)
        {
            throw new ArgumentException($"{train} training + {validation} validation reviews requested, the train files have {reviews.Train.Count}");
        }

        var testRows = Sample(reviews.Test, Math.Min(test, reviews.Test.Count), random);
        return new ReviewHyperparameterProblem<T>(embedding.Tensor<T>(), hiddenSize,
            new TokenRows(drawn.GetRange(0, train), maxLength), new TokenRows(drawn.GetRange(train, validation), maxLength), new TokenRows(testRows, maxLength));
    }

    /// <summary>
    /// The hyper-cleaning problem (§4.3) on Sentiment140: <paramref name="train"/> tweets from the head/tail file (whose
    /// labels are flipped to the other class independently with probability <paramref name="rate"/>, App. F.3),
    /// <paramref name="validation"/> clean tweets from the random file (ids not in the training set), and the manual
    /// test set's positive and negative tweets (359) as the test set.
    /// </summary>
    public static ReviewHyperCleaningProblem<T> HyperCleaning<T>(ReviewEmbedding embedding, int hiddenSize, int train, int validation, double rate,
        double regularization, int maxLength, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var random = new Random(seed);
        var pool = Tweets(embedding, "sentiment140/train-head10k-tail10k.csv");
        var trainTweets = Sample(pool, Math.Min(train, pool.Count), random);
        var ids = new HashSet<long>(trainTweets.Select(t => t.Id));
        var others = Tweets(embedding, "sentiment140/train-random10k.csv").Where(t => !ids.Contains(t.Id)).ToList();
        var validationTweets = Sample(others, Math.Min(validation, others.Count), random);
        var testTweets = Tweets(embedding, "sentiment140/testdata.manual.2009.06.14.csv");
        var labels = trainTweets.Select(t => t.Tweet.Label).ToArray();
        var corrupted = LabelCorruption.Corrupt(labels, 2, rate, CorruptionMode.Bernoulli, seed + 1);
        return new ReviewHyperCleaningProblem<T>(embedding.Tensor<T>(), hiddenSize,
            new TokenRows([.. trainTweets.Select(t => t.Tweet)], maxLength, corrupted.Labels), corrupted.Mask,
            new TokenRows([.. validationTweets.Select(t => t.Tweet)], maxLength), new TokenRows([.. testTweets.Select(t => t.Tweet)], maxLength), regularization);
    }
}
